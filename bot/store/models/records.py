"""What the store hands back: frozen records, read-only snapshots of one row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Outcome = Literal["ok", "failed", "unknown"]
"""How a change ended: done, refused, or sent without an answer (it may have happened)."""

OUTCOMES: frozenset[str] = frozenset({"ok", "failed", "unknown"})

Kind = Literal["confirmation", "approval"]
"""A confirmation is clicked by the person who asked; an approval by a second person."""

HeldState = Literal["pending", "executing", "done", "failed", "unknown", "rejected", "cancelled", "expired"]

# A finished change's outcome names the terminal state it leaves a held change in.
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
class HeldChange:
    """A change waiting for its click: a confirmation (void, delete, push, import) or a push approval.

    `claimed_by` is who clicked it into execution (for an approval, the approver); `closed_by` who
    cancelled or rejected it. The last four fields are set only on approvals.
    """

    id: str
    kind: Kind
    action: str
    params: dict[str, Any]
    requester: str
    team_id: str | None
    channel_id: str | None
    state: HeldState
    created_at: datetime
    expires_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    closed_by: str | None
    finished_at: datetime | None
    detail: str | None
    message_channel_id: str | None
    message_ts: str | None
    reason: str | None
    total_recipients: int | None
    sent_at: datetime | None = None
    """When the job that carries it out sent the API call (set, and committed, before the call)."""
    audit_id: int | None = None

    @property
    def card_id(self) -> int:
        """The card the change is made on (every kind of change has one)."""
        return int(self.params["card_id"])

    @property
    def message(self) -> str:
        """An approval's push message."""
        return str(self.params["message"])

    @property
    def recipient_ids(self) -> tuple[int, ...] | None:
        """An approval's recipients; None means every member of the card."""
        ids = self.params.get("recipient_ids")
        return None if ids is None else tuple(ids)

    @property
    def recipient_count(self) -> int:
        """How many members an approval's push reaches (counted when it was asked for)."""
        return int(self.params["recipient_count"])

    @property
    def send_at(self) -> datetime | None:
        """A scheduled push: the moment it goes out (None: at once, when clicked)."""
        value = self.params.get("send_at")
        return None if value is None else datetime.fromisoformat(str(value))

    @property
    def is_broadcast(self) -> bool:
        """True when an approval's push goes to every member of the card."""
        return self.params.get("recipient_ids") is None

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether a click could still claim, cancel or reject it: pending and not expired."""
        return self.state == "pending" and (now or utc_now()) < self.expires_at
