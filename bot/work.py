"""Slow work after the acknowledgement, on its own pool, so that acks never queue behind API calls."""

from __future__ import annotations

import logging
import time
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


URGENT_WORKERS = 4
"""Threads for the few Slack calls that cannot wait for a free worker; each takes one Slack round trip."""


class Worker:
    """A thread pool for everything that waits on the loyalty API or Slack after the ack."""

    def __init__(self, max_workers: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="work")
        # Apart from the main pool, which a burst of slow commands can keep busy for longer than the 3 s a
        # trigger id lives: opening a modal must not queue behind them.
        self._urgent = ThreadPoolExecutor(max_workers=URGENT_WORKERS, thread_name_prefix="urgent")

    def submit(self, interaction: Interaction, task: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `task` on the pool with `run_reported`: one log line, and the user told in words if it fails."""
        return self._pool.submit(run_reported, interaction, task, *args)

    def urgent(self, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start a short Slack call at once on its own small pool (a modal's `views.open`, whose trigger id
        dies in 3 s); a task on the main pool waits for its result, and a failure surfaces there."""
        return self._urgent.submit(call, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, let the work already accepted finish (graceful shutdown)."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
        self._urgent.shutdown(wait=wait, cancel_futures=not wait)  # after the tasks that wait for its calls
