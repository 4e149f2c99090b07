"""The worker pool holds slow work back while requests wait for their ack, and never loses it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from bot import work
from bot.interaction import Interaction
from bot.work import Worker


class Busy:
    """A switchable stand-in for `Traffic.busy`, counting how often it was asked."""

    def __init__(self, busy: bool = True) -> None:
        self.busy = busy
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.busy


def _interaction() -> Interaction:
    return Interaction.from_body({"user": {"id": "U1"}, "team": {"id": "T1"}, "channel": {"id": "C1"}},
                                 client=None, respond=None)  # type: ignore[arg-type]


@pytest.fixture
def worker() -> Any:
    pool = Worker(4)
    yield pool
    pool.shutdown(wait=True)


def test_without_a_hold_tasks_start_at_once(worker: Worker) -> None:
    assert worker.submit(_interaction(), lambda: "done").result(timeout=5) == "done"


def test_tasks_wait_while_requests_wait_for_their_ack_then_all_run(worker: Worker, monkeypatch) -> None:
    monkeypatch.setattr(work, "HOLD_MAX", 30.0)
    busy = Busy()
    worker.hold_while(busy)
    started = threading.Event()
    futures = [worker.submit(_interaction(), lambda n=n: (started.set(), n)[1]) for n in range(10)]
    time.sleep(0.1)
    assert not started.is_set()
    assert busy.asked > 0
    busy.busy = False
    assert [future.result(timeout=5) for future in futures] == list(range(10))


def test_a_task_waits_at_most_hold_max_under_a_steady_stream_of_requests(worker: Worker, monkeypatch) -> None:
    monkeypatch.setattr(work, "HOLD_MAX", 0.2)
    worker.hold_while(Busy(busy=True))  # never quiet
    began = time.monotonic()
    assert worker.submit(_interaction(), time.monotonic).result(timeout=5) - began >= 0.2
    assert worker.submit(_interaction(), lambda: "later").result(timeout=5) == "later"  # and the next one too


def test_a_broken_probe_does_not_hold_work_back(worker: Worker) -> None:
    def broken() -> bool:
        raise RuntimeError("probe failed")

    worker.hold_while(broken)
    assert worker.submit(_interaction(), lambda: "ran").result(timeout=5) == "ran"


def test_shutdown_runs_the_held_tasks_before_it_returns(monkeypatch) -> None:
    monkeypatch.setattr(work, "HOLD_MAX", 60.0)
    pool = Worker(2)
    pool.hold_while(Busy(busy=True))
    ran: list[int] = []
    futures = [pool.submit(_interaction(), ran.append, n) for n in range(5)]
    pool.shutdown(wait=True)  # graceful: accepted work finishes
    assert sorted(ran) == list(range(5))
    assert all(future.done() for future in futures)


def test_a_failing_held_task_is_reported_not_raised(worker: Worker, mocker) -> None:
    told = mocker.patch.object(work, "report")
    worker.hold_while(Busy(busy=False))

    def fails() -> None:
        raise ValueError("boom")

    assert worker.submit(_interaction(), fails).result(timeout=5) is None
    told.assert_called_once()
