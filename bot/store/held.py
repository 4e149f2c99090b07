"""Changes held for a click: pending → executing → done/failed/unknown, or cancelled/rejected/expired.

Confirmations (void, delete, a targeted push, an import) and push approvals share this one lifecycle.
Every move out of "pending" is one conditional UPDATE, so of any number of clicks on any number of
processes exactly one wins; a claimed change never returns to pending, so a crash mid-call leaves it
unclaimable (never run twice).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, insert, select, update

from bot.store.db import Database
from bot.store.models.records import (
    OUTCOMES,
    TERMINAL_STATE_FOR_OUTCOME,
    HeldChange,
    Kind,
    Outcome,
    moment_of,
    utc_now,
)
from bot.store.models.tables import held_changes
from bot.store.params import as_json, clip_detail

KINDS: frozenset[str] = frozenset({"confirmation", "approval"})


def _held(row: Row[Any]) -> HeldChange:
    return HeldChange(**{**row._asdict(), "params": dict(row.params)})


def _select(connection: Connection, held_id: str) -> HeldChange | None:
    row = connection.execute(select(held_changes).where(held_changes.c.id == held_id)).first()
    return _held(row) if row else None


def _open(held_id: str, moment: datetime) -> tuple[ColumnElement[bool], ...]:
    """Still waiting for its click at `moment`: the condition every move out of "pending" is made on."""
    return (held_changes.c.id == held_id, held_changes.c.state == "pending", held_changes.c.expires_at > moment)


class HeldChanges:
    """Changes waiting for their click, each moved on by one conditional UPDATE."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self,
        *,
        kind: Kind,
        action: str,
        params: Mapping[str, Any],
        requester: str,
        team_id: str | None,
        channel_id: str | None,
        ttl: timedelta,
    ) -> HeldChange:
        """Store a pending change and return it; its id is unguessable (it travels in a button's value)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        held_id = uuid.uuid4().hex
        created_at = utc_now()
        with self._db.write() as connection:
            connection.execute(
                insert(held_changes).values(
                    id=held_id, kind=kind, action=action, params=as_json(dict(params), "params"),
                    requester=requester, team_id=team_id, channel_id=channel_id, state="pending",
                    created_at=created_at, expires_at=created_at + ttl,
                )
            )
            created = _select(connection, held_id)
        if created is None:  # written in this very transaction: only a broken database loses it
            raise RuntimeError("a held change vanished right after it was stored")
        return created

    def get(self, held_id: str) -> HeldChange | None:
        """The change as it stands, or None if there is no such id."""
        with self._db.read() as connection:
            return _select(connection, held_id)

    def waiting(self, kind: Kind, *, limit: int = 10, now: datetime | None = None) -> list[HeldChange]:
        """The newest changes of this kind still waiting for their click (pending, not expired)."""
        moment = moment_of(now)
        query = (select(held_changes)
                 .where(held_changes.c.kind == kind, held_changes.c.state == "pending",
                        held_changes.c.expires_at > moment)
                 .order_by(held_changes.c.created_at.desc()).limit(limit))
        with self._db.read() as connection:
            return [_held(row) for row in connection.execute(query).all()]

    def set_message(self, held_id: str, channel_id: str, ts: str) -> bool:
        """Remember where the request for it was posted (to update it later); False if no such id."""
        with self._db.write() as connection:
            result = connection.execute(
                update(held_changes)
                .where(held_changes.c.id == held_id)
                .values(message_channel_id=channel_id, message_ts=ts)
            )
            return result.rowcount == 1

    def claim(self, held_id: str, *, by: str, now: datetime | None = None) -> HeldChange | None:
        """Move pending → executing if not expired; the record for the one caller that did it, else None.

        The state check and the change are one UPDATE, so across threads and processes only the caller
        whose UPDATE changed the row gets the record back. Who may claim is the caller's rule to apply.
        """
        moment = moment_of(now)
        return self._move(held_id, moment, state="executing", claimed_by=by, claimed_at=moment)

    def mark_sending(self, held_id: str, *, audit_id: int | None = None) -> bool:
        """Executing and not yet sent → sent now (committed before the API call); False if it was not.

        A job that finds its change already sent was interrupted with the call on the wire: it never sends again.
        """
        with self._db.write() as connection:
            result = connection.execute(
                update(held_changes)
                .where(held_changes.c.id == held_id, held_changes.c.state == "executing",
                       held_changes.c.sent_at.is_(None))
                .values(sent_at=utc_now(), audit_id=audit_id)
            )
            return result.rowcount == 1

    def executing(self, claimed_before: datetime) -> list[str]:
        """The changes claimed before `claimed_before` and still executing (their job may have been lost)."""
        with self._db.read() as connection:
            return list(connection.scalars(select(held_changes.c.id).where(
                held_changes.c.state == "executing", held_changes.c.claimed_at < claimed_before)))

    def finish(
        self, held_id: str, outcome: Outcome, detail: str | None = None, *, total_recipients: int | None = None
    ) -> bool:
        """Record how the claimed change ended (executing → done/failed/unknown); False if not executing."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
        with self._db.write() as connection:
            result = connection.execute(
                update(held_changes)
                .where(held_changes.c.id == held_id, held_changes.c.state == "executing")
                .values(
                    state=TERMINAL_STATE_FOR_OUTCOME[outcome],
                    finished_at=utc_now(),
                    detail=clip_detail(detail),
                    total_recipients=total_recipients,
                )
            )
            return result.rowcount == 1

    def cancel(self, held_id: str, *, by: str, now: datetime | None = None) -> HeldChange | None:
        """Pending → cancelled if not expired, recording who; None when it was no longer open."""
        moment = moment_of(now)
        return self._move(held_id, moment, state="cancelled", closed_by=by, finished_at=moment)

    def reject(self, held_id: str, *, by: str, reason: str | None, now: datetime | None = None) -> HeldChange | None:
        """Pending → rejected if not expired, recording who, when and why; None when it was no longer open."""
        moment = moment_of(now)
        return self._move(
            held_id, moment, state="rejected", closed_by=by, finished_at=moment, reason=clip_detail(reason)
        )

    def withdraw(self, held_id: str, *, by: str) -> HeldChange | None:
        """A scheduled change, pending or claimed but not yet sent → cancelled, recording who; None when it was
        already sent or closed."""
        moment = utc_now()
        with self._db.write() as connection:
            result = connection.execute(
                update(held_changes)
                .where(held_changes.c.id == held_id, held_changes.c.state.in_(("pending", "executing")),
                       held_changes.c.sent_at.is_(None))
                .values(state="cancelled", closed_by=by, finished_at=moment)
            )
            return _select(connection, held_id) if result.rowcount == 1 else None

    def not_sent(self, action: str) -> list[HeldChange]:
        """Changes of this action still to be carried out (pending, or claimed and not yet sent), oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(select(held_changes).where(
                held_changes.c.action == action, held_changes.c.state.in_(("pending", "executing")),
                held_changes.c.sent_at.is_(None)).order_by(held_changes.c.created_at))
            return [_held(row) for row in rows]

    def expire_due(self, now: datetime | None = None) -> int:
        """Mark every pending change past its expiry as expired; returns how many."""
        return len(self.expire(now))

    def expire(self, now: datetime | None = None, *, action: str | None = None) -> list[HeldChange]:
        """Mark the pending changes past their expiry (of `action`, when given) as expired; the ones this call did."""
        moment = moment_of(now)
        due = [held_changes.c.state == "pending", held_changes.c.expires_at <= moment]
        if action is not None:
            due.append(held_changes.c.action == action)
        with self._db.write() as connection:
            rows = connection.execute(
                update(held_changes).where(*due).values(state="expired", finished_at=moment).returning(held_changes)
            ).all()
            return [_held(row) for row in rows]

    def _move(self, held_id: str, moment: datetime, **values: Any) -> HeldChange | None:
        with self._db.write() as connection:
            result = connection.execute(update(held_changes).where(*_open(held_id, moment)).values(**values))
            if result.rowcount != 1:
                return None
            return _select(connection, held_id)
