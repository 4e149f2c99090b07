"""Held changes: claimed at most once, never after expiry, never again after a crash; closed the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.held import refusal
from bot.store import HeldChange, Store
from bot.store.models.records import Kind

REQUESTER, APPROVER, OTHER_ADMIN = "U_MARKETING", "U_ADMIN", "U_ADMIN2"


def _hold(store: Store, kind: Kind = "confirmation", ttl: timedelta = timedelta(minutes=15)) -> HeldChange:
    return store.held.create(
        kind=kind, action="void", params={"card_id": 7, "member_id": 101}, requester=REQUESTER,
        team_id="T1", channel_id="C1", ttl=ttl,
    )


def _approval(store: Store, recipient_ids: list[int] | None = None, ttl: timedelta = timedelta(hours=24)) -> str:
    return store.held.create(
        kind="approval", action="push", requester=REQUESTER, team_id="T1", channel_id="C_REQUEST", ttl=ttl,
        params={"card_id": 7, "message": "Double stamps this weekend!", "recipient_ids": recipient_ids,
                "recipient_count": len(recipient_ids) if recipient_ids is not None else 1200},
    ).id


def _state(store: Store, held_id: str) -> str:
    held = store.held.get(held_id)
    assert held is not None
    return held.state


def test_create_stores_a_pending_change_with_an_unguessable_id(store: Store) -> None:
    first, second = _hold(store), _hold(store)
    assert first.id != second.id
    assert len(first.id) >= 32
    held = store.held.get(first.id)
    assert held == first
    assert (held.kind, held.action, held.params) == ("confirmation", "void", {"card_id": 7, "member_id": 101})
    assert (held.requester, held.team_id, held.channel_id) == (REQUESTER, "T1", "C1")
    assert held.state == "pending"
    assert held.is_open()
    assert held.expires_at - held.created_at == timedelta(minutes=15)
    assert held.created_at.utcoffset() == timedelta(0)


def test_an_approval_keeps_its_push_and_where_it_was_asked(store: Store) -> None:
    broadcast = store.held.get(_approval(store))
    targeted = store.held.get(_approval(store, recipient_ids=[11, 12, 13]))
    assert broadcast is not None
    assert targeted is not None
    assert broadcast.is_broadcast
    assert (broadcast.card_id, broadcast.message, broadcast.recipient_count) == (7, "Double stamps this weekend!", 1200)
    assert (broadcast.requester, broadcast.channel_id, broadcast.kind) == (REQUESTER, "C_REQUEST", "approval")
    assert broadcast.expires_at - broadcast.created_at == timedelta(hours=24)
    assert not targeted.is_broadcast
    assert (targeted.recipient_ids, targeted.recipient_count) == ((11, 12, 13), 3)


def test_create_refuses_an_unknown_kind_a_bad_ttl_and_params_that_are_not_json(store: Store) -> None:
    with pytest.raises(ValueError, match="kind"):
        _hold(store, kind="wish")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ttl"):
        _hold(store, ttl=timedelta(0))
    with pytest.raises(ValueError, match="params must be JSON"):
        store.held.create(kind="confirmation", action="void", params={"when": datetime.now(UTC)},
                          requester=REQUESTER, team_id=None, channel_id=None, ttl=timedelta(minutes=1))


def test_get_of_an_unknown_id_is_none(store: Store) -> None:
    assert store.held.get("no-such-id") is None
    assert store.held.claim("no-such-id", by=REQUESTER) is None
    assert store.held.cancel("no-such-id", by=REQUESTER) is None
    assert store.held.reject("no-such-id", by=APPROVER, reason=None) is None


def test_set_message_remembers_where_the_request_was_posted(store: Store) -> None:
    approval_id = _approval(store)
    assert store.held.set_message(approval_id, "C_APPROVALS", "1700000000.000100")
    approval = store.held.get(approval_id)
    assert approval is not None
    assert (approval.message_channel_id, approval.message_ts) == ("C_APPROVALS", "1700000000.000100")
    assert not store.held.set_message("no-such-id", "C_APPROVALS", "1.2")


@pytest.mark.parametrize("kind", ["confirmation", "approval"])
def test_first_claim_gets_the_record_and_who_made_it_and_later_claims_get_none(store: Store, kind: Kind) -> None:
    held_id = _hold(store, kind).id
    claimed = store.held.claim(held_id, by=APPROVER)
    assert claimed is not None
    assert (claimed.state, claimed.claimed_by) == ("executing", APPROVER)
    assert claimed.claimed_at is not None
    assert claimed.claimed_at.utcoffset() == timedelta(0)
    assert claimed.params == {"card_id": 7, "member_id": 101}
    assert store.held.claim(held_id, by=APPROVER) is None
    assert store.held.claim(held_id, by=OTHER_ADMIN) is None


def test_nothing_moves_at_or_after_the_expiry(store: Store) -> None:
    held = _hold(store)
    for moment in (held.expires_at, held.expires_at + timedelta(hours=1)):
        assert store.held.claim(held.id, by=REQUESTER, now=moment) is None
        assert store.held.reject(held.id, by=APPROVER, reason=None, now=moment) is None
        assert store.held.cancel(held.id, by=REQUESTER, now=moment) is None
    assert store.held.claim(held.id, by=REQUESTER, now=held.expires_at - timedelta(seconds=1))


def test_a_short_ttl_expires_on_the_real_clock(store: Store) -> None:
    held = _hold(store, ttl=timedelta(microseconds=1))
    assert store.held.claim(held.id, by=REQUESTER, now=datetime.now(UTC) + timedelta(seconds=1)) is None


@pytest.mark.parametrize(("outcome", "state"), [("ok", "done"), ("failed", "failed"), ("unknown", "unknown")])
def test_finish_moves_a_claimed_change_to_its_terminal_state(store: Store, outcome: str, state: str) -> None:
    held_id = _approval(store)
    assert store.held.claim(held_id, by=APPROVER)
    assert store.held.finish(held_id, outcome, "whatever the API said", total_recipients=1187)  # type: ignore[arg-type]
    held = store.held.get(held_id)
    assert held is not None
    assert (held.state, held.detail, held.total_recipients) == (state, "whatever the API said", 1187)
    assert held.finished_at is not None
    assert store.held.claim(held_id, by=OTHER_ADMIN) is None
    assert not store.held.finish(held_id, "ok")


def test_finish_of_an_unclaimed_change_changes_nothing(store: Store) -> None:
    held_id = _hold(store).id
    assert not store.held.finish(held_id, "ok")
    assert _state(store, held_id) == "pending"
    with pytest.raises(ValueError, match="outcome"):
        store.held.finish(held_id, "maybe")  # type: ignore[arg-type]


def test_a_change_claimed_before_a_crash_can_never_be_claimed_again(database_url: str) -> None:
    crashed = Store.connect(database_url)
    held_id = _hold(crashed).id
    assert crashed.held.claim(held_id, by=REQUESTER)
    crashed.close()  # the process dies before finish()

    with Store.connect(database_url) as restarted:
        assert restarted.held.claim(held_id, by=REQUESTER) is None
        assert restarted.held.cancel(held_id, by=REQUESTER) is None
        assert restarted.held.reject(held_id, by=APPROVER, reason=None) is None
        held = restarted.held.get(held_id)
        assert held is not None
        assert held.state == "executing"
        assert restarted.held.expire_due(held.expires_at + timedelta(days=1)) == []
        assert restarted.held.claim(held_id, by=REQUESTER, now=held.created_at) is None


def test_cancel_stops_a_pending_change_for_good_and_records_who(store: Store) -> None:
    held_id = _hold(store).id
    cancelled = store.held.cancel(held_id, by=REQUESTER)
    assert cancelled is not None
    assert (cancelled.state, cancelled.closed_by) == ("cancelled", REQUESTER)
    assert cancelled.finished_at is not None
    assert store.held.cancel(held_id, by=REQUESTER) is None
    assert store.held.claim(held_id, by=REQUESTER) is None


def test_reject_records_who_when_and_why_and_blocks_every_other_move(store: Store) -> None:
    approval_id = _approval(store)
    rejected = store.held.reject(approval_id, by=APPROVER, reason="wrong card")
    assert rejected is not None
    assert (rejected.state, rejected.closed_by, rejected.reason) == ("rejected", APPROVER, "wrong card")
    assert rejected.finished_at is not None
    assert store.held.claim(approval_id, by=OTHER_ADMIN) is None
    assert store.held.reject(approval_id, by=OTHER_ADMIN, reason=None) is None
    assert store.held.cancel(approval_id, by=REQUESTER) is None


def test_cancel_and_reject_after_the_claim_are_refused(store: Store) -> None:
    held_id = _approval(store)
    assert store.held.claim(held_id, by=APPROVER)
    assert store.held.cancel(held_id, by=REQUESTER) is None
    assert store.held.reject(held_id, by=OTHER_ADMIN, reason="too late") is None
    assert _state(store, held_id) == "executing"


def test_expire_due_marks_only_the_pending_ones_past_their_expiry(store: Store) -> None:
    short, claimed = _hold(store, ttl=timedelta(minutes=1)).id, _hold(store, ttl=timedelta(minutes=1)).id
    long_lived = _approval(store)
    assert store.held.claim(claimed, by=REQUESTER)
    assert len(store.held.expire_due(datetime.now(UTC) + timedelta(minutes=2))) == 1
    states = {held_id: _state(store, held_id) for held_id in (short, long_lived, claimed)}
    assert states == {short: "expired", long_lived: "pending", claimed: "executing"}


def test_naive_now_is_refused(store: Store) -> None:
    held_id = _hold(store).id
    with pytest.raises(ValueError, match="timezone-aware"):
        store.held.claim(held_id, by=REQUESTER, now=datetime(2030, 1, 1))


def test_only_the_requester_clicks_a_confirmation(store: Store) -> None:
    confirmation = _hold(store)
    assert refusal(confirmation, REQUESTER, "claim") is None
    assert refusal(confirmation, REQUESTER, "cancel") is None
    assert refusal(confirmation, APPROVER, "claim") == "not_yours"
    assert refusal(confirmation, APPROVER, "cancel") == "not_yours"


def test_an_approval_is_approved_by_anyone_but_the_requester_and_withdrawn_only_by_them(store: Store) -> None:
    approval = store.held.get(_approval(store))
    assert approval is not None
    assert refusal(approval, REQUESTER, "claim") == "own"
    assert refusal(approval, APPROVER, "claim") is None
    assert refusal(approval, APPROVER, "cancel") == "not_yours"
    assert refusal(approval, REQUESTER, "cancel") is None
    assert refusal(approval, APPROVER, "reject") is None
