"""Starting the demo's stack quietly, and knowing when the bot has finished the work it accepted."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.interaction import Interaction
from bot.logs import setup_logging
from bot.services import Services


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Send every log line (bot, sandbox, servers) to `path` instead of the console, then put things back."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    with path.open("a", encoding="utf-8") as file:
        setup_logging("text", "INFO")
        for handler in root.handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(file)
        try:
            yield
        finally:
            for handler in list(root.handlers):
                root.removeHandler(handler)
            for handler in saved_handlers:
                root.addHandler(handler)
            root.setLevel(saved_level)


class WorkWatch:
    """Counts the tasks the bot deferred and has not finished, so the console shows a reply only when complete.

    It wraps the bot's own worker (the same pool, the same error reporting); the console still reaches the
    bot only through signed HTTP requests, and reads only what the Slack stand-in shows.
    """

    def __init__(self, services: Services) -> None:
        self._inner = services.worker
        self._pending = 0
        self._changed = threading.Condition()
        services.worker = self  # type: ignore[assignment]

    def submit(self, interaction: Interaction, task: Callable[..., Any], *args: Any) -> Future[Any]:
        with self._changed:
            self._pending += 1
        future = self._inner.submit(interaction, task, *args)
        future.add_done_callback(self._done)
        return future

    def urgent(self, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Not counted: a deferred task always waits for the urgent call it follows."""
        return self._inner.urgent(call, *args, **kwargs)

    def _done(self, _future: Future[Any]) -> None:
        with self._changed:
            self._pending -= 1
            self._changed.notify_all()

    def shutdown(self, wait: bool = True) -> None:
        self._inner.shutdown(wait=wait)

    def wait_idle(self, deadline: float) -> bool:
        """Wait until no deferred task and no background job (an import…) is running or queued (or `deadline`, a
        monotonic time); whether idle."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._pending == 0, max(0.0, deadline - time.monotonic())):
                return False
        while _jobs_waiting():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True


def _jobs_waiting() -> bool:
    """Whether the job engine holds work not finished yet (upkeep aside: it runs every minute by itself)."""
    from dbos import DBOS

    waiting = DBOS.list_workflows(status=["ENQUEUED", "PENDING"], load_input=False, load_output=False)
    return any(workflow.queue_name != "upkeep" for workflow in waiting)
