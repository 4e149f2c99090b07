"""Tables and the records read from them."""

from bot.store.models.records import (
    OUTCOMES,
    AuditEntry,
    HeldChange,
    HeldState,
    Kind,
    Outcome,
    utc_now,
)

__all__ = [
    "OUTCOMES",
    "AuditEntry",
    "HeldChange",
    "HeldState",
    "Kind",
    "Outcome",
    "utc_now",
]
