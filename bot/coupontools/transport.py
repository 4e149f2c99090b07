"""One HTTP session to the loyalty API: headers, timeouts, retries, logging and error mapping.

Retry policy — a read is safe to repeat, a change is not (the API has no idempotency key):

- Reads (GET) are retried on connection errors, timeouts, 429 and 5xx, with exponential backoff and
  full jitter, honouring Retry-After, while the total time spent (attempts and waits) stays within the
  retry budget, and for at most `max_attempts` tries.
- Changes (POST/PUT/DELETE) are retried only when the request certainly did not reach the server:
  no connection could be made (ConnectError, ConnectTimeout, PoolTimeout) or the server answered 429.
- Any other failure of a change raises OutcomeUnknown: a read or write timeout, a connection dropped
  after sending, and every 5xx answer. A 503 usually means "not processed", but a gateway may say 503
  after the backend did the work, and 500/502/504 certainly may follow a partial change; as the client
  cannot tell, it never guesses, and the caller tells the user to check before trying again.
  A 2xx whose body cannot be read is also OutcomeUnknown for a change (see LoyaltyClient._change).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

import bot
from bot.coupontools.errors import ApiUnavailable, CoupontoolsError, OutcomeUnknown, RateLimited
from bot.coupontools.responses import Redactor, error_from_response, parse_retry_after

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=3.0)
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 4.0
_SAFE_METHODS = frozenset({"GET"})
# The request never left this process: repeating it cannot make a change happen twice.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class _Retry:
    """A failed try that may be repeated: the error to raise if it is not, and how long the API asked to wait."""

    error: CoupontoolsError
    cause: Exception | None = None
    retry_after: float | None = None


class ApiSession:
    """Sends requests to the API with one connection pool; returns 2xx responses, raises CoupontoolsError."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: httpx.Timeout | None = None,
        transport: httpx.BaseTransport | None = None,
        retry_budget: float = 10.0,
        max_attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("the loyalty API base URL must be an http(s) URL with a host")
        self._http = httpx.Client(
            base_url=url,
            timeout=timeout or DEFAULT_TIMEOUT,
            transport=transport,
            headers={
                "x-api-key": api_key,
                "x-api-secret": api_secret,
                "accept": "application/json",
                "content-type": "application/json",
                "user-agent": f"loyalty-bot/{bot.__version__}",
            },
        )
        self.redact = Redactor([api_key, api_secret])
        self._retry_budget = max(retry_budget, 0.0)
        self._max_attempts = max(max_attempts, 1)
        self._sleep = sleep
        self._jitter = random.SystemRandom()

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        fields: Sequence[str] = (),
    ) -> httpx.Response:
        """Send with the retry policy in the module docstring; `fields` are body fields errors may name."""
        # httpx's get() takes no body, but the members list is a GET carrying JSON: build_request() allows it.
        # Built once: every attempt sends the very same request (and body bytes).
        built = self._http.build_request(method, path, json=json)
        repeatable = method in _SAFE_METHODS
        started = time.monotonic()
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(built, path, fields, repeatable)
            if isinstance(outcome, httpx.Response):
                return outcome
            wait = outcome.retry_after if outcome.retry_after is not None else self._backoff(attempt)
            # Real sleeps show in the monotonic clock, injected ones only in `waited`: count whichever is more.
            spent = max(waited, time.monotonic() - started)
            if attempt >= self._max_attempts or spent + wait > self._retry_budget:
                raise outcome.error from outcome.cause
            self._sleep(wait)
            waited += wait

    def _attempt(
        self, request: httpx.Request, path: str, fields: Sequence[str], repeatable: bool
    ) -> httpx.Response | _Retry:
        """One try: a 2xx response, a failure that may be retried, or an exception raised at once."""
        try:
            response = self._send(request, path)
        except _NOT_SENT as exc:
            return _Retry(ApiUnavailable(f"Could not connect to the loyalty API ({type(exc).__name__})"), exc)
        except httpx.RequestError as exc:  # transport failures, and a body that cannot be decoded
            if not repeatable:
                raise OutcomeUnknown(
                    f"The loyalty API did not answer a change ({type(exc).__name__}); "
                    "it may or may not have happened"
                ) from exc
            return _Retry(ApiUnavailable(f"The loyalty API did not answer ({type(exc).__name__})"), exc)
        if response.is_success:
            return response
        error = error_from_response(response, fields=fields, redact=self.redact)
        status = response.status_code
        if status >= 500 and not repeatable:
            raise OutcomeUnknown(
                f"The loyalty API answered HTTP {status} to a change; it may or may not have happened",
                status=status,
                code=error.code,
            )
        if status != 429 and status < 500:
            raise error
        retry_after = (
            error.retry_after
            if isinstance(error, RateLimited)
            else parse_retry_after(response.headers.get("retry-after"))
        )
        return _Retry(error, retry_after=retry_after)

    def _send(self, request: httpx.Request, path: str) -> httpx.Response:
        """One HTTP exchange, logged as one line: method, path, status or failure, latency. Never bodies."""
        method = request.method
        started = time.perf_counter()
        try:
            response = self._http.send(request)
        except httpx.RequestError as exc:
            latency_ms = round((time.perf_counter() - started) * 1000)
            logger.warning(
                "coupontools %s %s failed: %s after %d ms", method, path, type(exc).__name__, latency_ms,
                extra={"http_method": method, "http_path": path, "latency_ms": latency_ms},
            )
            raise
        latency_ms = round((time.perf_counter() - started) * 1000)
        logger.info(
            "coupontools %s %s -> %d in %d ms", method, path, response.status_code, latency_ms,
            extra={
                "http_method": method, "http_path": path,
                "http_status": response.status_code, "latency_ms": latency_ms,
            },
        )
        return response

    def _backoff(self, attempt: int) -> float:
        """Full jitter: anywhere between no wait and the exponential ceiling for this attempt."""
        return self._jitter.uniform(0.0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1)))
