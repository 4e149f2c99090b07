"""Slow work after the acknowledgement, on its own pool, so that acks never queue behind API calls."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.interaction import Interaction
from bot.logs import log_context
from bot.report import report

log = logging.getLogger("bot.events")


def run_reported(interaction: Interaction, task: Callable[..., Any], *args: Any) -> Any:
    """Run `task`, log one line with its latency and outcome, and `report` a failure to the user."""
    started = time.perf_counter()
    with log_context(request_id=interaction.request_id, user=interaction.user_id, action=interaction.name):
        try:
            result = task(*args)
        except Exception as exc:
            report(interaction, exc, latency_ms=round((time.perf_counter() - started) * 1000))
            return None
        log.info("done", extra={"outcome": interaction.outcome,
                                "latency_ms": round((time.perf_counter() - started) * 1000)})
        return result


def _run_into(future: Future[Any], interaction: Interaction, task: Callable[..., Any], *args: Any) -> None:
    """`run_reported` on a held task, its result (or failure) passed to the future `Worker.submit` returned."""
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(run_reported(interaction, task, *args))
    except BaseException as exc:
        future.set_exception(exc)


URGENT_WORKERS = 4
"""Threads for the few Slack calls that cannot wait for a free worker; each takes one Slack round trip."""

HOLD_MAX = 0.25
"""Seconds a task may be held back while requests wait for their ack (`Worker.hold_while`)."""

HOLD_POLL = 0.001
"""Seconds between two looks at whether requests are waiting, while tasks are held."""


class Worker:
    """A thread pool for everything that waits on the loyalty API or Slack after the ack."""

    def __init__(self, max_workers: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="work")
        # Apart from the main pool, which a burst of slow commands can keep busy for longer than the 3 s a
        # trigger id lives: opening a modal must not queue behind them.
        self._urgent = ThreadPoolExecutor(max_workers=URGENT_WORKERS, thread_name_prefix="urgent")
        self._held: deque[tuple[Future[Any], Interaction, Callable[..., Any], tuple[Any, ...]]] = deque()
        self._closed = False
        self._changed = threading.Condition()
        self._holder: threading.Thread | None = None

    def hold_while(self, busy: Callable[[], bool]) -> None:
        """From now on, start no task while `busy()` says requests are waiting for their ack (`Traffic.busy`).

        Tasks are the API calls behind the acks; in the same interpreter (one GIL) the first tasks of a burst
        would otherwise compete with the acks still to send, and even waking a worker thread costs the acks
        time. So held tasks wait here, not in the pool, and one thread looks every `HOLD_POLL` s whether
        requests are waiting; when none are, or the oldest task has waited `HOLD_MAX` (so work still starts
        under a steady stream of requests), it hands them all to the pool. Urgent calls are never held.
        """
        self._holder = threading.Thread(target=self._release_when_quiet, args=(busy,), name="work-hold", daemon=True)
        self._holder.start()

    def submit(self, interaction: Interaction, task: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `task` on the pool with `run_reported`: one log line, and the user told in words if it fails."""
        if self._holder is not None:  # holding: see `hold_while`
            with self._changed:
                if not self._closed:
                    future: Future[Any] = Future()
                    self._held.append((future, interaction, task, args))
                    self._changed.notify()
                    return future
        return self._pool.submit(run_reported, interaction, task, *args)

    def _release_when_quiet(self, busy: Callable[[], bool]) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._held or self._closed)
                if self._closed and not self._held:
                    return
            oldest = time.monotonic()
            while not self._closed and time.monotonic() - oldest < HOLD_MAX:
                try:
                    if not busy():
                        break
                except Exception:  # a broken probe must not hold work back
                    log.exception("could not tell whether requests are waiting")
                    break
                time.sleep(HOLD_POLL)
            with self._changed:
                held, self._held = self._held, deque()
            for future, interaction, task, args in held:
                self._pool.submit(_run_into, future, interaction, task, *args)

    def urgent(self, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start a short Slack call at once on its own small pool (a modal's `views.open`, whose trigger id
        dies in 3 s); a task on the main pool waits for its result, and a failure surfaces there."""
        return self._urgent.submit(call, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, let the work already accepted finish (graceful shutdown)."""
        with self._changed:
            self._closed = True  # held tasks go to the pool at once
            self._changed.notify_all()
        if self._holder is not None:
            self._holder.join()
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
        self._urgent.shutdown(wait=wait, cancel_futures=not wait)  # after the tasks that wait for its calls
