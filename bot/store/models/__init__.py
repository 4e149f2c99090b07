"""Tables and the records read from them."""

from bot.store.models.records import (
    OUTCOMES,
    Approval,
    ApprovalState,
    AuditEntry,
    Confirmation,
    ConfirmationState,
    Outcome,
    utc_now,
)

__all__ = [
    "OUTCOMES",
    "Approval",
    "ApprovalState",
    "AuditEntry",
    "Confirmation",
    "ConfirmationState",
    "Outcome",
    "utc_now",
]
