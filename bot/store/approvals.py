"""Push approvals: a second person approves a push to many members, at most once, never their own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from bot.store.db import Database
from bot.store.models.records import (
    OUTCOMES,
    TERMINAL_STATE_FOR_OUTCOME,
    Approval,
    Outcome,
    moment_of,
    utc_now,
)
from bot.store.models.tables import approvals
from bot.store.params import clip_detail, member_id_list

DEFAULT_TTL = timedelta(hours=24)


def _approval(row: Row[Any]) -> Approval:
    return Approval(
        id=row.id,
        card_id=row.card_id,
        message=row.message,
        recipient_ids=None if row.recipient_ids is None else tuple(row.recipient_ids),
        recipient_count=row.recipient_count,
        requester=row.requester,
        team_id=row.team_id,
        channel_id=row.channel_id,
        message_channel_id=row.message_channel_id,
        message_ts=row.message_ts,
        state=row.state,
        created_at=row.created_at,
        expires_at=row.expires_at,
        approver=row.approver,
        approved_at=row.approved_at,
        rejected_by=row.rejected_by,
        rejected_at=row.rejected_at,
        rejection_reason=row.rejection_reason,
        cancelled_at=row.cancelled_at,
        finished_at=row.finished_at,
        detail=row.detail,
        total_recipients=row.total_recipients,
    )


def _select(connection: Connection, approval_id: str) -> Approval | None:
    row = connection.execute(select(approvals).where(approvals.c.id == approval_id)).first()
    return _approval(row) if row else None



class Approvals:
    """Pending push approvals; every transition is one conditional UPDATE from "pending"."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self,
        *,
        card_id: int,
        message: str,
        recipient_ids: Sequence[int] | None,
        recipient_count: int,
        requester: str,
        team_id: str | None,
        channel_id: str,
        ttl: timedelta = DEFAULT_TTL,
    ) -> str:
        """Store a pending approval and return its unguessable id; `recipient_ids` None is a broadcast."""
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        if recipient_count < 0:
            raise ValueError("recipient_count must not be negative")
        approval_id = uuid.uuid4().hex
        created_at = utc_now()
        with self._db.write() as connection:
            connection.execute(
                insert(approvals).values(
                    id=approval_id,
                    card_id=card_id,
                    message=message,
                    recipient_ids=None if recipient_ids is None else member_id_list(recipient_ids, "recipient_ids"),
                    recipient_count=recipient_count,
                    requester=requester,
                    team_id=team_id,
                    channel_id=channel_id,
                    state="pending",
                    created_at=created_at,
                    expires_at=created_at + ttl,
                )
            )
        return approval_id

    def set_message(self, approval_id: str, channel_id: str, ts: str) -> bool:
        """Remember where the approval request was posted (to update it later); False if no such id."""
        with self._db.write() as connection:
            result = connection.execute(
                update(approvals)
                .where(approvals.c.id == approval_id)
                .values(message_channel_id=channel_id, message_ts=ts)
            )
            return result.rowcount == 1

    def get(self, approval_id: str) -> Approval | None:
        """The approval as it stands, or None if there is no such id."""
        with self._db.read() as connection:
            return _select(connection, approval_id)

    def claim(self, approval_id: str, *, approver: str, now: datetime | None = None) -> Approval | None:
        """Approve: pending → executing if not expired and `approver` is not the requester.

        Only the one caller whose UPDATE changed the row gets the record back; everyone else (a second
        click, another process, the requester themself) gets None. Never returns to pending, so a crash
        after the claim cannot lead to a second push.
        """
        moment = moment_of(now)
        with self._db.write() as connection:
            result = connection.execute(
                update(approvals)
                .where(
                    approvals.c.id == approval_id,
                    approvals.c.state == "pending",
                    approvals.c.expires_at > moment,
                    approvals.c.requester != approver,
                )
                .values(state="executing", approver=approver, approved_at=moment)
            )
            if result.rowcount != 1:
                return None
            return _select(connection, approval_id)

    def finish(
        self,
        approval_id: str,
        outcome: Outcome,
        detail: str | None = None,
        total_recipients: int | None = None,
    ) -> bool:
        """Record how the approved push ended (executing → done/failed/unknown); False if not executing."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
        with self._db.write() as connection:
            result = connection.execute(
                update(approvals)
                .where(approvals.c.id == approval_id, approvals.c.state == "executing")
                .values(
                    state=TERMINAL_STATE_FOR_OUTCOME[outcome],
                    finished_at=utc_now(),
                    detail=clip_detail(detail),
                    total_recipients=total_recipients,
                )
            )
            return result.rowcount == 1

    def reject(
        self, approval_id: str, *, by: str, reason: str | None, now: datetime | None = None
    ) -> Approval | None:
        """Pending → rejected if not expired, recording who, when and why; None when it was not open."""
        moment = moment_of(now)
        return self._close(
            approval_id,
            moment,
            extra_condition=None,
            values={"state": "rejected", "rejected_by": by, "rejected_at": moment,
                    "rejection_reason": clip_detail(reason)},
        )

    def cancel(self, approval_id: str, *, by: str, now: datetime | None = None) -> Approval | None:
        """Pending → cancelled, only by its requester and if not expired; None otherwise."""
        moment = moment_of(now)
        return self._close(
            approval_id,
            moment,
            extra_condition=approvals.c.requester == by,
            values={"state": "cancelled", "cancelled_at": moment},
        )

    def expire_due(self, now: datetime | None = None) -> int:
        """Mark every pending approval past its expiry as expired; returns how many."""
        moment = moment_of(now)
        with self._db.write() as connection:
            result = connection.execute(
                update(approvals)
                .where(approvals.c.state == "pending", approvals.c.expires_at <= moment)
                .values(state="expired", finished_at=moment)
            )
            return result.rowcount

    def _close(
        self, approval_id: str, moment: datetime, *, extra_condition: Any, values: dict[str, Any]
    ) -> Approval | None:
        conditions = [approvals.c.id == approval_id, approvals.c.state == "pending", approvals.c.expires_at > moment]
        if extra_condition is not None:
            conditions.append(extra_condition)
        with self._db.write() as connection:
            result = connection.execute(update(approvals).where(*conditions).values(**values))
            if result.rowcount != 1:
                return None
            return _select(connection, approval_id)
