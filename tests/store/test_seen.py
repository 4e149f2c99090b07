"""Seen requests: a key is new once, for every process sharing the database, and forgotten after it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.store import Store
from bot.store.models.tables import seen_requests
from tests.store.conftest import direct_connection


def _soon() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=5)


def test_a_key_is_new_only_the_first_time(store: Store) -> None:
    assert store.seen.first("v0=" + "a" * 64, _soon())
    assert not store.seen.first("v0=" + "a" * 64, _soon())
    assert store.seen.first("v0=" + "b" * 64, _soon())


def test_a_key_seen_by_one_process_is_not_new_to_another(store: Store, database_url: str) -> None:
    assert store.seen.first("event:Ev01", _soon())
    with Store.connect(database_url) as other:
        assert not other.seen.first("event:Ev01", _soon())


def test_prune_forgets_only_the_expired_keys(store: Store, database_url: str) -> None:
    assert store.seen.first("old", datetime.now(UTC) - timedelta(seconds=1))
    assert store.seen.first("current", _soon())
    assert store.seen.prune() == 1
    with direct_connection(database_url) as connection:
        assert connection.execute(select(seen_requests.c.key)).scalars().all() == ["current"]
    assert store.seen.first("old", _soon())
    assert not store.seen.first("current", _soon())


def test_expired_keys_are_pruned_as_new_ones_arrive(store: Store, database_url: str) -> None:
    fresh = Store.connect(database_url)  # its first call prunes: nothing pruned in this process yet
    try:
        assert store.seen.first("old", datetime.now(UTC) - timedelta(seconds=1))
        assert fresh.seen.first("new", _soon())
    finally:
        fresh.close()
    with direct_connection(database_url) as connection:
        assert connection.execute(select(func.count()).select_from(seen_requests)).scalar_one() == 1
