"""The worker pool runs slow work after the ack, and reports a failure instead of raising it."""

from __future__ import annotations

from typing import Any

import pytest

from bot import work
from bot.interaction import Interaction
from bot.work import Worker


def _interaction() -> Interaction:
    return Interaction.from_body({"user": {"id": "U1"}, "team": {"id": "T1"}, "channel": {"id": "C1"}},
                                 client=None, respond=None)  # type: ignore[arg-type]


@pytest.fixture
def worker() -> Any:
    pool = Worker(4)
    yield pool
    pool.shutdown(wait=True)


def test_a_task_runs_and_its_result_comes_back(worker: Worker) -> None:
    assert worker.submit(_interaction(), lambda: "done").result(timeout=5) == "done"


def test_shutdown_runs_the_accepted_tasks_before_it_returns() -> None:
    pool = Worker(2)
    ran: list[int] = []
    futures = [pool.submit(_interaction(), ran.append, n) for n in range(5)]
    pool.shutdown(wait=True)  # graceful: accepted work finishes
    assert sorted(ran) == list(range(5))
    assert all(future.done() for future in futures)


def test_a_failing_task_is_reported_not_raised(worker: Worker, mocker) -> None:
    told = mocker.patch.object(work, "report")

    def fails() -> None:
        raise ValueError("boom")

    assert worker.submit(_interaction(), fails).result(timeout=5) is None
    told.assert_called_once()
