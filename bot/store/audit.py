"""The audit log: every change is written "pending" before it is sent, and its outcome after."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update

from bot.store.db import Database
from bot.store.models.records import OUTCOMES, AuditEntry, Outcome, require_aware, utc_now
from bot.store.models.tables import audit_log
from bot.store.params import as_json, clip_detail, member_id_list, refuse_contact_details

MAX_LATEST = 500
_EXPORT_BATCH = 500


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        created_at=row.created_at,
        finished_at=row.finished_at,
        actor=row.actor,
        team_id=row.team_id,
        channel_id=row.channel_id,
        action=row.action,
        card_id=row.card_id,
        member_ids=tuple(row.member_ids),
        params=dict(row.params),
        request_id=row.request_id,
        outcome=row.outcome,
        detail=row.detail,
    )


class AuditLog:
    """Who changed what, when, on which card and members — never their contact details."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def begin(
        self,
        *,
        actor: str,
        team_id: str | None,
        channel_id: str | None,
        action: str,
        card_id: int | None,
        member_ids: Sequence[int] = (),
        params: Mapping[str, Any] | None = None,
        request_id: str | None,
    ) -> int:
        """Record a change about to be sent (outcome "pending") and return the entry's id.

        Raises ValueError when `params` holds a contact-detail key (email, phone, name, address,
        zip, city, custom_N) at any depth, or is not JSON.
        """
        stored_params = as_json(dict(params or {}), "params")
        refuse_contact_details(stored_params)
        with self._db.write() as connection:
            result = connection.execute(
                insert(audit_log).values(
                    created_at=utc_now(),
                    actor=actor,
                    team_id=team_id,
                    channel_id=channel_id,
                    action=action,
                    card_id=card_id,
                    member_ids=member_id_list(member_ids),
                    params=stored_params,
                    request_id=request_id,
                    outcome="pending",
                ).returning(audit_log.c.id)
            )
            return int(result.scalar_one())

    def finish(self, entry_id: int, outcome: Outcome, detail: str | None = None, *,
               member_ids: Sequence[int] | None = None) -> bool:
        """Complete a pending entry with its outcome; False if it was unknown or already finished.

        `member_ids` names members only known once the change is done (a member just created).
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
        values: dict[str, Any] = {"outcome": outcome, "detail": clip_detail(detail), "finished_at": utc_now()}
        if member_ids is not None:
            values["member_ids"] = member_id_list(member_ids)
        with self._db.write() as connection:
            result = connection.execute(
                update(audit_log)
                .where(audit_log.c.id == entry_id, audit_log.c.outcome == "pending")
                .values(**values)
            )
            return result.rowcount == 1

    def get(self, entry_id: int) -> AuditEntry | None:
        """One entry by id."""
        with self._db.read() as connection:
            row = connection.execute(select(audit_log).where(audit_log.c.id == entry_id)).first()
        return _entry(row) if row else None

    def latest(
        self, card_id: int | None = None, limit: int = 20, before_id: int | None = None
    ) -> list[AuditEntry]:
        """The newest entries first, optionally for one card; pass the last id seen as `before_id` for more."""
        if not 1 <= limit <= MAX_LATEST:
            raise ValueError(f"limit must be between 1 and {MAX_LATEST}")
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if card_id is not None:
            query = query.where(audit_log.c.card_id == card_id)
        if before_id is not None:
            query = query.where(audit_log.c.id < before_id)
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        return [_entry(row) for row in rows]

    def between(self, start: datetime, end: datetime, card_id: int | None = None) -> Iterator[AuditEntry]:
        """Entries created in [start, end), oldest first, read in batches so no connection stays open."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        last_id: int | None = None
        while True:
            query = (
                select(audit_log)
                .where(audit_log.c.created_at >= start, audit_log.c.created_at < end)
                .order_by(audit_log.c.id)
                .limit(_EXPORT_BATCH)
            )
            if card_id is not None:
                query = query.where(audit_log.c.card_id == card_id)
            if last_id is not None:
                query = query.where(audit_log.c.id > last_id)
            with self._db.read() as connection:
                rows = connection.execute(query).all()
            yield from (_entry(row) for row in rows)
            if len(rows) < _EXPORT_BATCH:
                return
            last_id = rows[-1].id
