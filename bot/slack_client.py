"""The Slack Web API client: Slack's 429s waited out, and only what is safe to repeat repeated.

slack-sdk's default retries a call after a connection reset, even when Slack may already have acted on it: a
message posted twice. Here a call is repeated after a connection error only when it never left (the connection
could not be made) or when repeating it changes nothing (a read, or a view or message replaced by the same).
"""

from __future__ import annotations

import socket
from http.client import RemoteDisconnected
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.response import HttpResponse

from bot import metrics

RATE_LIMIT_RETRIES = 3  # each waits Slack's Retry-After; the work is already acknowledged, so it only delays a reply
SAFE_TO_REPEAT = frozenset({
    "auth.test", "users.info", "usergroups.users.list", "conversations.info", "files.info",
    "views.publish", "views.update", "chat.update",
})
"""Methods whose repeat leaves Slack as one call would (reads, and replacements by the same content)."""


class SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """Retry a call whose connection failed before it was sent; after it was sent, only methods safe to repeat."""

    def __init__(self) -> None:
        super().__init__(error_types=[URLError, ConnectionResetError, RemoteDisconnected])

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return never_sent(error) or method_of(request.url) in SAFE_TO_REPEAT


def never_sent(error: Exception | None) -> bool:
    """Whether the request surely never reached Slack: the connection was refused or the name did not resolve.

    Any other URLError may come from the middle of sending (a reset after Slack read the whole request), when
    Slack may already have acted."""
    reason = getattr(error, "reason", None)
    return isinstance(error, URLError) and isinstance(reason, ConnectionRefusedError | socket.gaierror)


class SlackErrorMeter(RetryHandler):
    """Never retries: counts each failed call by method (an error status, `"ok": false`, or no answer at all).

    slack-sdk shows every answer and connection error to the retry handlers, and copies them to the client it
    makes for each request, so the first handler sees every call the app makes.
    """

    def can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,  # noqa: ARG002
                  error: Exception | None = None) -> bool:
        failed = error is not None or response is None or response.status_code != 200 or (
            isinstance(response.body, dict) and response.body.get("ok") is False)
        if failed:
            metrics.SLACK_ERRORS.labels(method_of(request.url)).inc()
        return False


def method_of(url: str) -> str:
    """The Web API method a request URL calls (`…/api/chat.postMessage?…` -> `chat.postMessage`)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def slack_client(token: str, base_url: str, *, timeout: float = 10) -> WebClient:
    """A WebClient that counts failed calls, honours Slack's 429 Retry-After and repeats after connection errors
    only when safe."""
    return WebClient(token=token, base_url=base_url, timeout=int(timeout), retry_handlers=[
        SlackErrorMeter(),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        SafeConnectionErrorRetryHandler(),
    ])
