"""Client for the Coupontools v4 loyalty API. Knows nothing of Slack."""

from bot.coupontools.errors import (
    ApiUnavailable,
    BadCredentials,
    CoupontoolsError,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    RateLimited,
)
from bot.coupontools.models import (
    CUSTOM_FIELDS,
    MEMBER_FIELDS,
    Card,
    CreatedMember,
    Member,
    PushResult,
    Reward,
)

__all__ = [
    "CUSTOM_FIELDS",
    "MEMBER_FIELDS",
    "ApiUnavailable",
    "BadCredentials",
    "Card",
    "CoupontoolsError",
    "CreatedMember",
    "InvalidInput",
    "Member",
    "NotFound",
    "OutcomeUnknown",
    "PushResult",
    "RateLimited",
    "Reward",
]
