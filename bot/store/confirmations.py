"""Confirmations: a destructive action waits for its button, and runs at most once whoever clicks."""

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
    Confirmation,
    Outcome,
    moment_of,
    utc_now,
)
from bot.store.models.tables import confirmations
from bot.store.params import as_json, clip_detail

DEFAULT_TTL = timedelta(minutes=15)


def _confirmation(row: Row[Any]) -> Confirmation:
    return Confirmation(
        id=row.id,
        action=row.action,
        params=dict(row.params),
        requester=row.requester,
        team_id=row.team_id,
        channel_id=row.channel_id,
        state=row.state,
        created_at=row.created_at,
        expires_at=row.expires_at,
        claimed_at=row.claimed_at,
        finished_at=row.finished_at,
        cancelled_by=row.cancelled_by,
        detail=row.detail,
    )


def _select(connection: Connection, confirmation_id: str) -> Confirmation | None:
    row = connection.execute(select(confirmations).where(confirmations.c.id == confirmation_id)).first()
    return _confirmation(row) if row else None



def _open(confirmation_id: str, moment: datetime) -> tuple[ColumnElement[bool], ...]:
    """Still waiting for its click at `moment`: the condition every transition out of "pending" is made on."""
    return (
        confirmations.c.id == confirmation_id,
        confirmations.c.state == "pending",
        confirmations.c.expires_at > moment,
    )


class Confirmations:
    """Pending confirmations, claimed by one conditional UPDATE so only one click ever executes."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self,
        *,
        action: str,
        params: Mapping[str, Any],
        requester: str,
        team_id: str | None,
        channel_id: str | None,
        ttl: timedelta = DEFAULT_TTL,
    ) -> str:
        """Store a pending confirmation and return its unguessable id (for the button's value)."""
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        confirmation_id = uuid.uuid4().hex
        created_at = utc_now()
        with self._db.write() as connection:
            connection.execute(
                insert(confirmations).values(
                    id=confirmation_id,
                    action=action,
                    params=as_json(dict(params), "params"),
                    requester=requester,
                    team_id=team_id,
                    channel_id=channel_id,
                    state="pending",
                    created_at=created_at,
                    expires_at=created_at + ttl,
                )
            )
        return confirmation_id

    def get(self, confirmation_id: str) -> Confirmation | None:
        """The confirmation as it stands, or None if there is no such id."""
        with self._db.read() as connection:
            return _select(connection, confirmation_id)

    def claim(self, confirmation_id: str, *, now: datetime | None = None) -> Confirmation | None:
        """Move pending → executing if not expired; the record for the one caller that did it, else None.

        Works across threads and processes: the state check and the change are one UPDATE, and only
        the caller whose UPDATE changed the row gets the record back. A claimed confirmation never
        returns to pending, so a crash after the claim leaves it unclaimable (never run twice).
        """
        moment = moment_of(now)
        with self._db.write() as connection:
            result = connection.execute(
                update(confirmations)
                .where(*_open(confirmation_id, moment))
                .values(state="executing", claimed_at=moment)
            )
            if result.rowcount != 1:
                return None
            return _select(connection, confirmation_id)

    def finish(self, confirmation_id: str, outcome: Outcome, detail: str | None = None) -> bool:
        """Record how the claimed action ended (executing → done/failed/unknown); False if not executing."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
        with self._db.write() as connection:
            result = connection.execute(
                update(confirmations)
                .where(confirmations.c.id == confirmation_id, confirmations.c.state == "executing")
                .values(
                    state=TERMINAL_STATE_FOR_OUTCOME[outcome],
                    finished_at=utc_now(),
                    detail=clip_detail(detail),
                )
            )
            return result.rowcount == 1

    def cancel(self, confirmation_id: str, by: str, *, now: datetime | None = None) -> bool:
        """Move pending → cancelled if not expired, recording who; False when it was no longer open."""
        moment = moment_of(now)
        with self._db.write() as connection:
            result = connection.execute(
                update(confirmations)
                .where(*_open(confirmation_id, moment))
                .values(state="cancelled", cancelled_by=by, finished_at=moment)
            )
            return result.rowcount == 1

    def expire_due(self, now: datetime | None = None) -> int:
        """Mark every pending confirmation past its expiry as expired; returns how many."""
        moment = moment_of(now)
        with self._db.write() as connection:
            result = connection.execute(
                update(confirmations)
                .where(confirmations.c.state == "pending", confirmations.c.expires_at <= moment)
                .values(state="expired", finished_at=moment)
            )
            return result.rowcount
