"""The door to Slack's events path: a request is verified, parsed and placed before Bolt sees any of it.

Bolt's own check raises on a timestamp that is not a number, and its error path then answers 500 and posts to
whatever `response_url` the unverified body names. Here every such request is refused with a plain 400 or 401
before Bolt reads it, so nothing of an unverified request is ever acted on: Bolt's listeners and its global
error handler (`handlers/errors.py`) only ever see bodies signed with the app's secret, within five minutes,
from the app's own workspace, and not seen before.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from slack_bolt.request.internals import extract_enterprise_id, extract_team_id, parse_body

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MAX_AGE = 300  # seconds: Slack's own window for a request's timestamp, either way
EVENT_RETRIES = timedelta(hours=1)  # Slack retries an event three times within minutes; its id is kept longer
CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "application/json"})  # all Slack ever sends
SEEN_TIMEOUT = 1.0  # seconds the replay check may take; past that the request runs (the ack must leave in 3 s)
SEEN_THREADS = 4  # checks waiting on a database that does not answer pile up here, not in request threads
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class SeenRequests(Protocol):
    """Where the requests already answered are remembered, shared by every process of the app."""

    def first(self, key: str, until: datetime) -> bool:
        """True when `key` was not seen before (and remember it until `until`)."""
        ...


@dataclass(frozen=True)
class Workspace:
    """The workspace (and Enterprise Grid organisation, if any) the bot token belongs to."""

    team_id: str
    enterprise_id: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A request answered at the door: its status line and a short plain-text reason."""

    status: str
    reason: str


UNSIGNED = Refusal("401 Unauthorized", "Invalid request signature")
STALE = Refusal("401 Unauthorized", "Request timestamp out of range")
MALFORMED = Refusal("400 Bad Request", "Malformed request body")
UNSUPPORTED = Refusal("400 Bad Request", "Unsupported content type")
FOREIGN = Refusal("403 Forbidden", "Request from another workspace")
ALREADY_ANSWERED = Refusal("200 OK", "")


class Gate:
    """Verifies requests to the events path before handing them to Bolt.

    `seen` remembers the requests already let through (a replay, or Slack's retry of an event already
    delivered, is answered 200 without running); `workspace` is the only team (and organisation) accepted.
    """

    def __init__(self, signing_secret: str, *, seen: SeenRequests | None = None, workspace: Workspace | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._seen = seen
        self._workspace = workspace
        self._clock = clock
        self._checks = ThreadPoolExecutor(max_workers=SEEN_THREADS, thread_name_prefix="replay-check")

    def wrap(self, slack: WsgiApp) -> WsgiApp:
        """`slack`, reached only by requests that pass `check`; the others get a short plain-text answer."""

        def gated(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            body = _read_body(environ)
            refusal = self.check(_headers(environ), body)
            if refusal is None:
                environ["wsgi.input"] = io.BytesIO(body)
                return slack(environ, start_response)
            if refusal is not ALREADY_ANSWERED:
                log.warning("request refused: %s", refusal.reason, extra={"outcome": "refused"})
            answer = refusal.reason.encode()
            start_response(refusal.status, [("Content-Type", "text/plain"), ("Content-Length", str(len(answer)))])
            return [answer]

        return gated

    def check(self, headers: dict[str, str], body: bytes) -> Refusal | None:
        """None when the request may reach Bolt, else how to answer it."""
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return UNSIGNED
        expected = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(f"v0={expected}", signature):
            return UNSIGNED
        now = self._clock()
        if abs(now - int(timestamp)) > MAX_AGE:
            return STALE
        payload = _payload(headers.get("content-type", ""), body)
        if isinstance(payload, Refusal):
            return payload
        if not self._from_our_workspace(payload):
            return FOREIGN
        return self._first_time(signature, int(timestamp), payload, now)

    def _from_our_workspace(self, payload: dict[str, Any]) -> bool:
        if self._workspace is None:
            return True
        team, enterprise = extract_team_id(payload), extract_enterprise_id(payload)
        return team in (None, self._workspace.team_id) and enterprise in (None, self._workspace.enterprise_id)

    def _first_time(self, signature: str, timestamp: int, payload: dict[str, Any], now: float) -> Refusal | None:
        if self._seen is None:
            return None
        event_id = payload.get("event_id") if payload.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            # Slack signs each retry of an event afresh: the event's own id is what repeats.
            key, until = f"event:{event_id}", datetime.fromtimestamp(now, UTC) + EVENT_RETRIES
        else:
            key, until = signature, datetime.fromtimestamp(timestamp + MAX_AGE + 1, UTC)
        check = self._checks.submit(self._seen.first, key, until)
        try:
            first = check.result(timeout=SEEN_TIMEOUT)
        except Exception as exc:  # the database is slow or down: serving beats refusing everyone until it is back
            check.cancel()  # if still queued behind checks that hang, it never runs
            log.warning("replay check skipped: %s", type(exc).__name__, extra={"outcome": "unchecked"})
            return None
        return None if first else ALREADY_ANSWERED


def _payload(content_type: str, body: bytes) -> dict[str, Any] | Refusal:
    """The body parsed the way Bolt will parse it, or why it cannot be."""
    if content_type.split(";")[0].strip().lower() not in CONTENT_TYPES:
        return UNSUPPORTED
    try:
        payload = parse_body(body.decode("utf-8"), content_type.split(";")[0].strip().lower())
    except ValueError:  # not UTF-8, or not the JSON it claims to be (UnicodeDecodeError is a ValueError)
        return MALFORMED
    return payload if isinstance(payload, dict) else MALFORMED


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items()
               if key.startswith("HTTP_")}
    headers["content-type"] = str(environ.get("CONTENT_TYPE", ""))
    return headers
