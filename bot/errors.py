"""The one path from any failure to words a user can act on. Never a traceback, token or secret."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.coupontools import (
    BadCredentials,
    CoupontoolsError,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    RateLimited,
)
from bot.logs import redact


class UserError(Exception):
    """A problem the user can fix (bad input, nothing to do, a role they lack); the message is shown as it is.

    The root of every error meant for the user: lookups, the command parser and access checks subclass it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unavailable(Exception):
    """Something the app relies on did not answer, so nothing was done; `words` say what, for the user."""

    words = "I couldn't reach a service I rely on just now."


def outcome_of(exc: BaseException) -> str:
    """The word logs and the audit log use for how a request ended."""
    if isinstance(exc, OutcomeUnknown):
        return "unknown"
    if isinstance(exc, UserError | InvalidInput | NotFound):
        return "refused"
    return "failed"


def _rate_limited(exc: RateLimited, _ref: str) -> str:
    wait = f" in {round(exc.retry_after)} seconds" if exc.retry_after else " in a minute"
    return f"The loyalty service is busy right now. Nothing was changed; try again{wait}."


_WORDS: dict[type[BaseException], Callable[[Any, str], str]] = {
    UserError: lambda exc, _ref: exc.message,
    OutcomeUnknown: lambda _exc, ref: (
        "The loyalty service did not answer after the change was sent, so I can't tell whether it "
        f"happened. Check the member with `/loyalty member` before trying again{ref}."),
    NotFound: lambda _exc, _ref: (
        "The loyalty service says that card or member does not exist (any more). Look it up again."),
    InvalidInput: lambda exc, _ref: f"The loyalty service refused that: {redact(exc.message)}",
    BadCredentials: lambda _exc, ref: (
        "The loyalty service refused our API credentials. An admin needs to check "
        f"COUPONTOOLS_API_KEY and COUPONTOOLS_API_SECRET{ref}."),
    RateLimited: _rate_limited,
    CoupontoolsError: lambda _exc, ref: (
        f"The loyalty service is not answering properly right now. Nothing was changed; try again shortly{ref}."),
    Unavailable: lambda exc, ref: f"{exc.words} Try again in a moment{ref}.",
    Exception: lambda _exc, ref: (
        f"Something went wrong on our side. It has been logged{ref}; try again, and tell an admin if it persists."),
}
"""Words for each kind of failure; the most specific class of the error that is listed here wins."""


def describe(exc: BaseException, request_id: str | None = None) -> str:
    """What to tell the user about `exc`: what happened and what to do next."""
    ref = f" (reference `{request_id}`)" if request_id else ""
    words = next((_WORDS[kind] for kind in type(exc).__mro__ if kind in _WORDS), _WORDS[Exception])
    return words(exc, ref)
