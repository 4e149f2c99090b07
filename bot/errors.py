"""The one path from any failure to words a user can act on. Never a traceback, token or secret."""

from __future__ import annotations

from bot.access import AccessDenied, DirectoryUnavailable
from bot.commands import CommandError
from bot.coupontools import (
    ApiUnavailable,
    BadCredentials,
    CoupontoolsError,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    RateLimited,
)
from bot.logs import redact
from bot.lookup import LookupProblem


class UserError(Exception):
    """A problem the user can fix (bad input, nothing to do); the message is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def outcome_of(exc: BaseException) -> str:
    """The word logs and the audit log use for how a request ended."""
    if isinstance(exc, OutcomeUnknown):
        return "unknown"
    if isinstance(exc, UserError | LookupProblem | CommandError | AccessDenied | InvalidInput | NotFound):
        return "refused"
    return "failed"


def describe(exc: BaseException, request_id: str | None = None) -> str:
    """What to tell the user about `exc`: what happened and what to do next."""
    ref = f" (reference `{request_id}`)" if request_id else ""
    if isinstance(exc, UserError | LookupProblem | CommandError | AccessDenied):
        return exc.message
    if isinstance(exc, OutcomeUnknown):
        return ("The loyalty service did not answer after the change was sent, so I can't tell whether it "
                f"happened. Check the member with `/loyalty member` before trying again{ref}.")
    if isinstance(exc, NotFound):
        return "The loyalty service says that card or member does not exist (any more). Look it up again."
    if isinstance(exc, InvalidInput):
        return f"The loyalty service refused that: {redact(exc.message)}"
    if isinstance(exc, BadCredentials):
        return ("The loyalty service refused our API credentials. An admin needs to check "
                f"COUPONTOOLS_API_KEY and COUPONTOOLS_API_SECRET{ref}.")
    if isinstance(exc, RateLimited):
        wait = f" in {round(exc.retry_after)} seconds" if exc.retry_after else " in a minute"
        return f"The loyalty service is busy right now. Nothing was changed; try again{wait}."
    if isinstance(exc, ApiUnavailable | CoupontoolsError):
        return f"The loyalty service is not answering properly right now. Nothing was changed; try again shortly{ref}."
    if isinstance(exc, DirectoryUnavailable):
        return f"I couldn't check your access with Slack just now. Try again in a moment{ref}."
    return f"Something went wrong on our side. It has been logged{ref}; try again, and tell an admin if it persists."
