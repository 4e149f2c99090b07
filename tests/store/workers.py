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


def claim(url: str, held_id: str, by: str, barrier: Barrier, results: Queue) -> None:
    """Open the store, wait for the others, then claim; report whether this process won."""
    with Store.connect(url) as store:
        barrier.wait(BARRIER_TIMEOUT_S)
        results.put(store.held.claim(held_id, by=by) is not None)
