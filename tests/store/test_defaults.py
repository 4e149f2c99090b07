"""Channel default cards: set, replaced, cleared, and seen by every process sharing the database."""

from __future__ import annotations

from bot.store import Store


def test_a_default_is_set_replaced_and_cleared(store: Store) -> None:
    assert store.defaults.get("C1") is None
    store.defaults.set("C1", 481516, "Coffee Club", by="U1")
    store.defaults.set("C1", 481517, "VIP", by="U2")
    assert store.defaults.get("C1") == (481517, "VIP")
    assert store.defaults.get("C2") is None
    assert store.defaults.clear("C1")
    assert not store.defaults.clear("C1")
    assert store.defaults.get("C1") is None


def test_a_default_set_by_one_process_is_seen_by_another(store: Store, database_url: str) -> None:
    store.defaults.set("C1", 481516, "Coffee Club", by="U1")
    with Store.connect(database_url) as other:
        assert other.defaults.get("C1") == (481516, "Coffee Club")


def test_all_lists_the_channels_with_a_default(store: Store) -> None:
    store.defaults.set("C2", 481517, "VIP", by="U1")
    store.defaults.set("C1", 481516, "Coffee Club", by="U1")
    assert store.defaults.all() == [("C1", "Coffee Club"), ("C2", "VIP")]
