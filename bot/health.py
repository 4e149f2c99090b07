"""The health check's answer, kept fresh by a background probe: /healthz never waits on the database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

PROBE_EVERY = 2.0  # seconds between probes
FRESH_FOR = 6.0  # seconds a successful probe vouches for: a probe stuck longer than this means unhealthy


class HealthProbe:
    """Runs `check` every `every` seconds in a thread; healthy while the last success is recent enough."""

    def __init__(self, check: Callable[[], bool], *, every: float = PROBE_EVERY, fresh_for: float = FRESH_FOR,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._check = check
        self._every = every
        self._fresh_for = fresh_for
        self._clock = clock
        self._ok_at: float | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HealthProbe:
        """Probe once now (so the first answer is a real one), then in the background."""
        self._probe()
        self._thread = threading.Thread(target=self._loop, name="health-probe", daemon=True)
        self._thread.start()
        return self

    def healthy(self) -> bool:
        """Whether the last probe succeeded less than `fresh_for` seconds ago; never blocks."""
        ok_at = self._ok_at
        return ok_at is not None and self._clock() - ok_at <= self._fresh_for

    def stop(self) -> None:
        """Stop probing (a probe in progress is left to finish on its own)."""
        self._stopping.set()

    def _loop(self) -> None:
        while not self._stopping.wait(self._every):
            self._probe()

    def _probe(self) -> None:
        try:
            ok = self._check()
        except Exception:
            log.exception("health probe failed")
            ok = False
        self._ok_at = self._clock() if ok else None
