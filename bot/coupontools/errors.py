"""One exception hierarchy for everything the loyalty API can do wrong, rooted in CoupontoolsError."""

from __future__ import annotations


class CoupontoolsError(Exception):
    """Base of every error the loyalty client raises. Messages never contain credentials."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field


class BadCredentials(CoupontoolsError):
    """The API key or secret was refused (HTTP 401/403, code 1000), or the account expired (101)."""


class NotFound(CoupontoolsError):
    """The card or member does not exist (HTTP 404, codes 505/507)."""


class InvalidInput(CoupontoolsError):
    """The API refused a value (codes 200, 300–349); `field` names it when the API said which."""


class RateLimited(CoupontoolsError):
    """Too many requests (HTTP 429); `retry_after` is in seconds when the API said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ApiUnavailable(CoupontoolsError):
    """The API could not be reached, timed out on a read, or answered 5xx or garbage."""


class OutcomeUnknown(CoupontoolsError):
    """A change was sent and no answer came back: it may or may not have happened."""
