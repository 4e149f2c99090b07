"""Slow work after the acknowledgement, on its own pool, so that acks never queue behind API calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.errors import describe, outcome_of
from bot.interaction import Interaction
from bot.logs import log_context
from bot.views.common import error_modal, notice

log = logging.getLogger("bot.events")


def run_reported(interaction: Interaction, task: Callable[..., Any], *args: Any) -> Any:
    """Run `task`, log one line with its latency and outcome, and tell the user in words if it failed."""
    started = time.perf_counter()
    with log_context(request_id=interaction.request_id, user=interaction.user_id, action=interaction.name):
        try:
            result = task(*args)
        except Exception as exc:
            outcome = outcome_of(exc)
            latency = round((time.perf_counter() - started) * 1000)
            if outcome == "failed":
                log.exception("failed", extra={"outcome": outcome, "latency_ms": latency})
            else:
                log.info("%s: %s", type(exc).__name__, outcome, extra={"outcome": outcome, "latency_ms": latency})
            _tell(interaction, exc)
            return None
        log.info("done", extra={"outcome": interaction.outcome,
                                "latency_ms": round((time.perf_counter() - started) * 1000)})
        return result


def _tell(interaction: Interaction, exc: Exception) -> None:
    text = describe(exc, interaction.request_id)
    try:
        if interaction.view_id:
            interaction.client.views_update(view_id=interaction.view_id, view=error_modal("Something went wrong", text))
        else:
            interaction.reply(notice(text, emoji=":warning:"))
    except Exception:
        log.exception("could not tell the user about a failure", extra={"outcome": "failed"})


class Worker:
    """A thread pool for everything that waits on the loyalty API or Slack after the ack."""

    def __init__(self, max_workers: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="work")

    def submit(self, interaction: Interaction, task: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._pool.submit(run_reported, interaction, task, *args)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, let the work already accepted finish (graceful shutdown)."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
