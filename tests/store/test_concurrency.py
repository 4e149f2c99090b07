"""Races: many threads, and several processes each with its own engine, click the same button at once."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.store import Store
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


def test_twenty_threads_claiming_one_confirmation_yield_exactly_one_winner(store: Store) -> None:
    confirmation_id = store.confirmations.create(
        action="delete", params={"member_id": 5}, requester="U_ADMIN", team_id="T1", channel_id="C1"
    )
    outcomes = _race_threads(lambda: store.confirmations.claim(confirmation_id))
    winners = [claimed for claimed in outcomes if claimed is not None]
    assert len(winners) == 1
    assert winners[0].id == confirmation_id


def test_twenty_threads_approving_one_push_yield_exactly_one_winner(store: Store) -> None:
    approval_id = store.approvals.create(
        card_id=7, message="hello", recipient_ids=None, recipient_count=900,
        requester="U_MARKETING", team_id="T1", channel_id="C1",
    )
    approvers = iter(f"U_ADMIN{n}" for n in range(THREADS))
    lock = threading.Lock()

    def approve() -> Any:
        with lock:
            approver = next(approvers)
        return store.approvals.claim(approval_id, approver=approver)

    winners = [claimed for claimed in _race_threads(approve) if claimed is not None]
    assert len(winners) == 1
    stored = store.approvals.get(approval_id)
    assert stored is not None
    assert stored.approver == winners[0].approver


def test_approve_and_reject_racing_on_one_push_leave_exactly_one_decision(store: Store) -> None:
    approval_id = store.approvals.create(
        card_id=7, message="hello", recipient_ids=None, recipient_count=900,
        requester="U_MARKETING", team_id="T1", channel_id="C1",
    )
    turns = iter(range(THREADS))
    lock = threading.Lock()

    def approve_or_reject() -> Any:
        with lock:
            turn = next(turns)
        if turn % 2:
            return store.approvals.claim(approval_id, approver=f"U_ADMIN{turn}")
        return store.approvals.reject(approval_id, by=f"U_ADMIN{turn}", reason=None)

    decisions = [decided for decided in _race_threads(approve_or_reject) if decided is not None]
    assert len(decisions) == 1
    assert store.approvals.get(approval_id).state == decisions[0].state  # type: ignore[union-attr]


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


def test_processes_claiming_one_confirmation_yield_exactly_one_winner(store: Store, database_url: str) -> None:
    confirmation_id = store.confirmations.create(
        action="void", params={"member_id": 5}, requester="U_ADMIN", team_id="T1", channel_id="C1"
    )
    wins = _race_processes(workers.claim_confirmation, database_url, confirmation_id)
    assert sorted(wins) == [False] * (PROCESSES - 1) + [True]
    assert store.confirmations.get(confirmation_id).state == "executing"  # type: ignore[union-attr]


def test_processes_approving_one_push_yield_exactly_one_winner(store: Store, database_url: str) -> None:
    approver = "U_ADMIN"
    approval_id = store.approvals.create(
        card_id=7, message="hello", recipient_ids=[1, 2], recipient_count=2,
        requester="U_MARKETING", team_id="T1", channel_id="C1",
    )
    wins = _race_processes(workers.claim_approval, database_url, approval_id, approver)
    assert sorted(wins) == [False] * (PROCESSES - 1) + [True]
    assert store.approvals.get(approval_id).approver == approver  # type: ignore[union-attr]
