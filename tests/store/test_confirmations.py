"""Confirmations: claimed at most once, never after expiry, never again after a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store


def _create(store: Store, ttl: timedelta = timedelta(minutes=15)) -> str:
    return store.confirmations.create(
        action="void", params={"card_id": 7, "member_id": 101}, requester="U_ADMIN",
        team_id="T1", channel_id="C1", ttl=ttl,
    )


def test_create_stores_a_pending_confirmation_with_an_unguessable_id(store: Store) -> None:
    first, second = _create(store), _create(store)
    assert first != second
    assert len(first) >= 32
    confirmation = store.confirmations.get(first)
    assert confirmation is not None
    assert (confirmation.action, confirmation.params) == ("void", {"card_id": 7, "member_id": 101})
    assert (confirmation.requester, confirmation.team_id, confirmation.channel_id) == ("U_ADMIN", "T1", "C1")
    assert confirmation.state == "pending"
    assert confirmation.is_open()
    assert confirmation.expires_at - confirmation.created_at == timedelta(minutes=15)
    assert confirmation.created_at.utcoffset() == timedelta(0)


def test_get_of_an_unknown_id_is_none(store: Store) -> None:
    assert store.confirmations.get("no-such-id") is None
    assert store.confirmations.claim("no-such-id") is None


def test_first_claim_gets_the_record_and_later_claims_get_none(store: Store) -> None:
    confirmation_id = _create(store)
    claimed = store.confirmations.claim(confirmation_id)
    assert claimed is not None
    assert claimed.state == "executing"
    assert claimed.claimed_at is not None
    assert claimed.params == {"card_id": 7, "member_id": 101}
    assert store.confirmations.claim(confirmation_id) is None


def test_claim_after_the_ttl_is_none(store: Store) -> None:
    confirmation_id = _create(store)
    confirmation = store.confirmations.get(confirmation_id)
    assert confirmation is not None
    assert store.confirmations.claim(confirmation_id, now=confirmation.expires_at) is None
    assert store.confirmations.claim(confirmation_id, now=confirmation.expires_at + timedelta(hours=1)) is None
    assert store.confirmations.claim(confirmation_id, now=confirmation.expires_at - timedelta(seconds=1))


def test_a_short_ttl_expires_on_the_real_clock(store: Store) -> None:
    confirmation_id = _create(store, ttl=timedelta(microseconds=1))
    assert store.confirmations.claim(confirmation_id, now=datetime.now(UTC) + timedelta(seconds=1)) is None


@pytest.mark.parametrize(("outcome", "state"), [("ok", "done"), ("failed", "failed"), ("unknown", "unknown")])
def test_finish_moves_a_claimed_confirmation_to_its_terminal_state(store: Store, outcome: str, state: str) -> None:
    confirmation_id = _create(store)
    assert store.confirmations.claim(confirmation_id)
    assert store.confirmations.finish(confirmation_id, outcome, detail="whatever the API said")  # type: ignore[arg-type]
    confirmation = store.confirmations.get(confirmation_id)
    assert confirmation is not None
    assert (confirmation.state, confirmation.detail) == (state, "whatever the API said")
    assert confirmation.finished_at is not None
    assert store.confirmations.claim(confirmation_id) is None
    assert not store.confirmations.finish(confirmation_id, "ok")


def test_finish_of_an_unclaimed_confirmation_changes_nothing(store: Store) -> None:
    confirmation_id = _create(store)
    assert not store.confirmations.finish(confirmation_id, "ok")
    confirmation = store.confirmations.get(confirmation_id)
    assert confirmation is not None
    assert confirmation.state == "pending"


def test_a_confirmation_claimed_before_a_crash_can_never_be_claimed_again(database_url: str) -> None:
    crashed = Store.connect(database_url)
    confirmation_id = _create(crashed)
    assert crashed.confirmations.claim(confirmation_id)
    crashed.close()  # the process dies before finish()

    with Store.connect(database_url) as restarted:
        assert restarted.confirmations.claim(confirmation_id) is None
        assert not restarted.confirmations.cancel(confirmation_id, "U_ADMIN")
        confirmation = restarted.confirmations.get(confirmation_id)
        assert confirmation is not None
        assert confirmation.state == "executing"
        assert restarted.confirmations.expire_due(confirmation.expires_at + timedelta(days=1)) == 0
        assert restarted.confirmations.claim(confirmation_id, now=confirmation.created_at) is None


def test_cancel_stops_a_pending_confirmation_for_good(store: Store) -> None:
    confirmation_id = _create(store)
    assert store.confirmations.cancel(confirmation_id, "U_OTHER")
    assert not store.confirmations.cancel(confirmation_id, "U_OTHER")
    assert store.confirmations.claim(confirmation_id) is None
    confirmation = store.confirmations.get(confirmation_id)
    assert confirmation is not None
    assert (confirmation.state, confirmation.cancelled_by) == ("cancelled", "U_OTHER")


def test_cancel_after_the_claim_is_refused(store: Store) -> None:
    confirmation_id = _create(store)
    assert store.confirmations.claim(confirmation_id)
    assert not store.confirmations.cancel(confirmation_id, "U_ADMIN")


def test_expire_due_marks_only_the_pending_ones_past_their_expiry(store: Store) -> None:
    short, claimed = _create(store, timedelta(minutes=1)), _create(store, timedelta(minutes=1))
    long_lived = _create(store)
    assert store.confirmations.claim(claimed)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert store.confirmations.expire_due(later) == 1
    states = {cid: store.confirmations.get(cid).state for cid in (short, long_lived, claimed)}  # type: ignore[union-attr]
    assert states == {short: "expired", long_lived: "pending", claimed: "executing"}


def test_naive_now_is_refused(store: Store) -> None:
    confirmation_id = _create(store)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.confirmations.claim(confirmation_id, now=datetime(2030, 1, 1))
