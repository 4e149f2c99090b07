"""Functions run in child processes (spawned, so each has its own engine and pool) by the race tests."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from bot.store import Store

BARRIER_TIMEOUT_S = 120


def connect(url: str, barrier: Barrier, results: Queue) -> None:
    """Wait for the others, then open the store; report ("ok", migrated) or ("error", why)."""
    barrier.wait(BARRIER_TIMEOUT_S)
    try:
        store = Store.connect(url)
    except Exception as exc:  # report any failure to the test instead of dying silently
        results.put(("error", f"{type(exc).__name__}: {exc}"))
        return
    results.put(("ok", store.migrated))
    store.close()


def claim_confirmation(url: str, confirmation_id: str, barrier: Barrier, results: Queue) -> None:
    """Open the store, wait for the others, then claim; report whether this process won."""
    with Store.connect(url) as store:
        barrier.wait(BARRIER_TIMEOUT_S)
        results.put(store.confirmations.claim(confirmation_id) is not None)


def claim_approval(url: str, approval_id: str, approver: str, barrier: Barrier, results: Queue) -> None:
    """Open the store, wait for the others, then approve; report whether this process won."""
    with Store.connect(url) as store:
        barrier.wait(BARRIER_TIMEOUT_S)
        results.put(store.approvals.claim(approval_id, approver=approver) is not None)
