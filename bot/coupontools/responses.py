"""Turn the API's error answers (either envelope, or anything else) into the client's exceptions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bot.coupontools.errors import (
    ApiUnavailable,
    BadCredentials,
    CoupontoolsError,
    InvalidInput,
    NotFound,
    RateLimited,
)

_MAX_MESSAGE = 300
_EMAIL = re.compile(r"[^\s@<>\"',;:]+@[^\s@<>\"',;:]+")
# Phone-like runs (8+ digits, maybe with +, spaces or dashes); shorter numbers are ids and codes, kept.
_PHONE = re.compile(r"\+?\d(?:[\s.\-/()]*\d){7,}")


class Redactor:
    """Scrubs credentials and contact details from text the API sends back before it reaches a message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        text = _EMAIL.sub("[email]", text)
        text = _PHONE.sub("[number]", text)
        text = " ".join(text.split())
        return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _codes(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [code for item in values if (code := _as_int(item)) is not None]


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [item.strip() for item in values if isinstance(item, str) and item.strip()]


def parse_error_body(body: Any) -> tuple[list[int], list[str]]:
    """The error codes and messages in either documented envelope; empty lists for any other shape.

    Envelope A: `{"status": {"status": "failed", "errors": {"error_code": 1000, "error_message": "…"}}}`.
    Envelope B: `{"status": …, "errors": {"error_code": [..], "error_message": "…",
    "error_message_description": [..]}}`. A bare `{"message": "…"}` or `{"error": "…"}` gives its text.
    """
    if not isinstance(body, dict):
        return [], []
    status = body.get("status")
    errors = status.get("errors") if isinstance(status, dict) else None
    if errors is None:
        errors = body.get("errors")
    if isinstance(errors, list):  # some gateways send a list of error objects: the first one speaks
        errors = next((item for item in errors if isinstance(item, dict)), None)
    if not isinstance(errors, dict):
        return [], _texts(body.get("message")) + _texts(body.get("error"))
    messages = _texts(errors.get("error_message")) + _texts(errors.get("error_message_description"))
    return _codes(errors.get("error_code")), messages


def _error_class(status: int, codes: Sequence[int]) -> type[CoupontoolsError]:
    # A status that says what happened wins (429 and 5xx also decide retries); the API's code then
    # refines vaguer ones. The vendor answers an unknown member with 404 and code 301 (bad id).
    if status == 429:
        return RateLimited
    if status >= 500 or status < 400:
        return ApiUnavailable
    if status in (401, 403):
        return BadCredentials
    if status in (404, 410):
        return NotFound
    for code in codes:
        if code in (1000, 101):
            return BadCredentials
        if code in (505, 507):
            return NotFound
        if code == 200 or 300 <= code <= 349:
            return InvalidInput
    if status in (400, 422):
        return InvalidInput
    return CoupontoolsError


_SUMMARIES: dict[type[CoupontoolsError], str] = {
    RateLimited: "The loyalty API is rate limiting requests",
    ApiUnavailable: "The loyalty API is not answering properly",
    BadCredentials: "The loyalty API refused the API key or secret",
    NotFound: "The loyalty API does not know that card or member",
    InvalidInput: "The loyalty API refused a value",
    CoupontoolsError: "The loyalty API refused the request",
}


def _field_pattern(field: str) -> str:
    # "first_name" is also found written as "first name"; never inside a longer word.
    return r"(?<![A-Za-z0-9_])" + re.escape(field).replace("_", "[_ ]") + r"(?![A-Za-z0-9_])"


def guess_field(messages: Sequence[str], fields: Sequence[str]) -> str | None:
    """The request field the API's messages name first, among the fields the request sent."""
    for message in messages:
        positions = [
            (found.start(), field)
            for field in fields
            if (found := re.search(_field_pattern(field), message, re.IGNORECASE))
        ]
        if positions:
            return min(positions)[1]
    return None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds == float("inf"):  # NaN or infinite: not a usable instruction
        return None
    return max(seconds, 0.0)


def error_from_response(
    response: httpx.Response, *, fields: Sequence[str] = (), redact: Redactor
) -> CoupontoolsError:
    """The exception that describes a non-2xx answer, whatever its body looks like."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:  # HTML from a proxy, plain text, empty: nothing in it is safe or useful to quote
        body = None
    codes, messages = parse_error_body(body)
    cls = _error_class(status, codes)
    code = codes[0] if codes else None
    detail = f"HTTP {status}" + (f", code {code}" if code is not None else "")
    message = f"{_SUMMARIES[cls]} ({detail})"
    if messages:
        message += ": " + redact("; ".join(messages))
    if cls is RateLimited:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return RateLimited(message, retry_after=retry_after, status=status, code=code)
    field = guess_field(messages, fields) if cls is InvalidInput else None
    return cls(message, status=status, code=code, field=field)
