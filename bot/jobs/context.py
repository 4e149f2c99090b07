"""The services a job's steps use: bound once per process when the engine starts (steps get ids, not clients)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

_bound: Services | None = None
_running = 0
_running_lock = threading.Lock()


def bind(services: Services | None) -> None:
    """Give this process's services to its jobs (None when the process stops)."""
    global _bound
    _bound = services


def services() -> Services:
    """This process's services; a job that runs before they are bound is a wiring error."""
    if _bound is None:
        raise RuntimeError("the job engine runs without services: call bot.jobs.context.bind first")
    return _bound


@contextmanager
def running() -> Iterator[None]:
    """Around a workflow's body: counted, so that a stopping process knows (without asking the database, which may
    be the thing that stopped answering) whether jobs are still running here."""
    global _running
    with _running_lock:
        _running += 1
    try:
        yield
    finally:
        with _running_lock:
            _running -= 1


def jobs_running() -> int:
    """Workflows running in this process now."""
    return _running
