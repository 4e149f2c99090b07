"""What the store hands back: frozen records, read-only snapshots of one row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Outcome = Literal["ok", "failed", "unknown"]
"""How a change ended: done, refused, or sent without an answer (it may have happened)."""

OUTCOMES: frozenset[str] = frozenset({"ok", "failed", "unknown"})

ConfirmationState = Literal["pending", "executing", "done", "failed", "unknown", "cancelled", "expired"]
ApprovalState = Literal[
    "pending", "executing", "done", "failed", "unknown", "rejected", "cancelled", "expired"
]

# A finished change's outcome names the terminal state it leaves a confirmation or approval in.
TERMINAL_STATE_FOR_OUTCOME: dict[str, str] = {"ok": "done", "failed": "failed", "unknown": "unknown"}


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def moment_of(now: datetime | None) -> datetime:
    """The moment a state change happens at: `now` (which must be timezone-aware), or the current time."""
    return utc_now() if now is None else require_aware(now, "now")


def require_aware(value: datetime, name: str) -> datetime:
    """Return `value`, or raise ValueError when it has no timezone (its meaning would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded change: written "pending" before it is sent, completed with its outcome after."""

    id: int
    created_at: datetime
    finished_at: datetime | None
    actor: str
    team_id: str | None
    channel_id: str | None
    action: str
    card_id: int | None
    member_ids: tuple[int, ...]
    params: dict[str, Any]
    request_id: str | None
    outcome: Literal["pending", "ok", "failed", "unknown"]
    detail: str | None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A destructive action waiting for its button to be clicked."""

    id: str
    action: str
    params: dict[str, Any]
    requester: str
    team_id: str | None
    channel_id: str | None
    state: ConfirmationState
    created_at: datetime
    expires_at: datetime
    claimed_at: datetime | None
    finished_at: datetime | None
    cancelled_by: str | None
    detail: str | None

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether a click could still claim it: pending and not expired."""
        return self.state == "pending" and (now or utc_now()) < self.expires_at


@dataclass(frozen=True, slots=True)
class Approval:
    """A push waiting for a second person to approve it; `recipient_ids` None means every member."""

    id: str
    card_id: int
    message: str
    recipient_ids: tuple[int, ...] | None
    recipient_count: int
    requester: str
    team_id: str | None
    channel_id: str
    message_channel_id: str | None
    message_ts: str | None
    state: ApprovalState
    created_at: datetime
    expires_at: datetime
    approver: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    rejection_reason: str | None
    cancelled_at: datetime | None
    finished_at: datetime | None
    detail: str | None
    total_recipients: int | None

    @property
    def is_broadcast(self) -> bool:
        """True when the push goes to every member of the card."""
        return self.recipient_ids is None

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether it can still be approved, rejected or cancelled: pending and not expired."""
        return self.state == "pending" and (now or utc_now()) < self.expires_at
