"""Races: many threads, and several processes each with its own engine, click the same button at once."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from bot.store import Store
from bot.store.models.records import Kind
from tests.store import workers

THREADS = 20
PROCESSES = 4


def _race_threads(action: Callable[[], Any], count: int = THREADS) -> list[Any]:
    """Run `action` in `count` threads released together by a barrier; return what each got."""
    barrier = threading.Barrier(count)

    def run() -> Any:
        barrier.wait(timeout=60)
        return action()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run) for _ in range(count)]
        return [future.result() for future in futures]


def _race_processes(target: Callable[..., None], *args: Any, count: int = PROCESSES) -> list[Any]:
    """Run `target(*args, barrier, results)` in `count` spawned processes; return what each reported."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [context.Process(target=target, args=(*args, barrier, results)) for _ in range(count)]
    for process in processes:
        process.start()
    try:
        return [results.get(timeout=180) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
        assert all(process.exitcode == 0 for process in processes)


def _hold(store: Store, kind: Kind) -> str:
    return store.held.create(
        kind=kind, action="push", params={"card_id": 7, "message": "hello", "recipient_ids": None,
                                          "recipient_count": 900},
        requester="U_MARKETING", team_id="T1", channel_id="C1", ttl=timedelta(minutes=15),
    ).id


@pytest.mark.parametrize("kind", ["confirmation", "approval"])
def test_twenty_threads_claiming_one_change_yield_exactly_one_winner(store: Store, kind: Kind) -> None:
    held_id = _hold(store, kind)
    clickers = iter(f"U_ADMIN{n}" for n in range(THREADS))
    lock = threading.Lock()

    def claim() -> Any:
        with lock:
            clicker = next(clickers)
        return store.held.claim(held_id, by=clicker)

    winners = [claimed for claimed in _race_threads(claim) if claimed is not None]
    assert len(winners) == 1
    assert winners[0].id == held_id
    stored = store.held.get(held_id)
    assert stored is not None
    assert stored.claimed_by == winners[0].claimed_by


def test_claim_reject_and_cancel_racing_on_one_change_leave_exactly_one_decision(store: Store) -> None:
    held_id = _hold(store, "approval")
    turns = iter(range(THREADS))
    lock = threading.Lock()

    def decide() -> Any:
        with lock:
            turn = next(turns)
        if turn % 3 == 0:
            return store.held.claim(held_id, by=f"U_ADMIN{turn}")
        if turn % 3 == 1:
            return store.held.reject(held_id, by=f"U_ADMIN{turn}", reason=None)
        return store.held.cancel(held_id, by="U_MARKETING")

    decisions = [decided for decided in _race_threads(decide) if decided is not None]
    assert len(decisions) == 1
    assert store.held.get(held_id).state == decisions[0].state  # type: ignore[union-attr]


def test_concurrent_audit_writes_from_many_threads_all_land(store: Store) -> None:
    def write_ten() -> list[int]:
        ids = []
        for n in range(10):
            entry_id = store.audit.begin(
                actor="U1", team_id="T1", channel_id="C1", action="stamp", card_id=7,
                member_ids=[n], params={"amount": 1}, request_id=None,
            )
            store.audit.finish(entry_id, "ok")
            ids.append(entry_id)
        return ids

    ids = [entry_id for batch in _race_threads(write_ten, count=8) for entry_id in batch]
    assert len(set(ids)) == 80
    entries = store.audit.latest(limit=100)
    assert len(entries) == 80
    assert {entry.outcome for entry in entries} == {"ok"}


@pytest.mark.parametrize("kind", ["confirmation", "approval"])
def test_processes_claiming_one_change_yield_exactly_one_winner(store: Store, database_url: str, kind: Kind) -> None:
    held_id = _hold(store, kind)
    wins = _race_processes(workers.claim, database_url, held_id, "U_ADMIN")
    assert sorted(wins) == [False] * (PROCESSES - 1) + [True]
    stored = store.held.get(held_id)
    assert stored is not None
    assert (stored.state, stored.claimed_by) == ("executing", "U_ADMIN")
