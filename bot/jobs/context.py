"""The services a job's steps use: bound once per process when the engine starts (steps get ids, not clients)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

_bound: Services | None = None


def bind(services: Services | None) -> None:
    """Give this process's services to its jobs (None when the process stops)."""
    global _bound
    _bound = services


def services() -> Services:
    """This process's services; a job that runs before they are bound is a wiring error."""
    if _bound is None:
        raise RuntimeError("the job engine runs without services: call bot.jobs.context.bind first")
    return _bound
