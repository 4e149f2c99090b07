"""Push approvals: a different person approves, once, before expiry; reject and cancel follow the same rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store

REQUESTER, APPROVER, OTHER_ADMIN = "U_MARKETING", "U_ADMIN", "U_ADMIN2"


def _create(store: Store, recipient_ids: list[int] | None = None, ttl: timedelta = timedelta(hours=24)) -> str:
    return store.approvals.create(
        card_id=7, message="Double stamps this weekend!", recipient_ids=recipient_ids,
        recipient_count=len(recipient_ids) if recipient_ids is not None else 1200,
        requester=REQUESTER, team_id="T1", channel_id="C_REQUEST", ttl=ttl,
    )


def test_create_stores_a_pending_broadcast(store: Store) -> None:
    approval = store.approvals.get(_create(store))
    assert approval is not None
    assert approval.is_broadcast
    assert (approval.card_id, approval.message, approval.recipient_count) == (7, "Double stamps this weekend!", 1200)
    assert (approval.requester, approval.team_id, approval.channel_id) == (REQUESTER, "T1", "C_REQUEST")
    assert approval.state == "pending"
    assert approval.is_open()
    assert approval.expires_at - approval.created_at == timedelta(hours=24)


def test_create_stores_a_targeted_push_with_its_recipients(store: Store) -> None:
    approval = store.approvals.get(_create(store, recipient_ids=[11, 12, 13]))
    assert approval is not None
    assert not approval.is_broadcast
    assert (approval.recipient_ids, approval.recipient_count) == ((11, 12, 13), 3)


def test_set_message_remembers_where_the_request_was_posted(store: Store) -> None:
    approval_id = _create(store)
    assert store.approvals.set_message(approval_id, "C_APPROVALS", "1700000000.000100")
    approval = store.approvals.get(approval_id)
    assert approval is not None
    assert (approval.message_channel_id, approval.message_ts) == ("C_APPROVALS", "1700000000.000100")
    assert not store.approvals.set_message("no-such-id", "C_APPROVALS", "1.2")


def test_requester_can_never_approve_their_own_push(store: Store) -> None:
    approval_id = _create(store)
    assert store.approvals.claim(approval_id, approver=REQUESTER) is None
    approval = store.approvals.get(approval_id)
    assert approval is not None
    assert approval.state == "pending"
    assert approval.approver is None


def test_another_person_approves_once_and_is_recorded(store: Store) -> None:
    approval_id = _create(store)
    claimed = store.approvals.claim(approval_id, approver=APPROVER)
    assert claimed is not None
    assert (claimed.state, claimed.approver) == ("executing", APPROVER)
    assert claimed.approved_at is not None
    assert claimed.approved_at.utcoffset() == timedelta(0)
    assert store.approvals.claim(approval_id, approver=APPROVER) is None
    assert store.approvals.claim(approval_id, approver=OTHER_ADMIN) is None


def test_approval_after_expiry_is_none(store: Store) -> None:
    approval_id = _create(store)
    approval = store.approvals.get(approval_id)
    assert approval is not None
    assert store.approvals.claim(approval_id, approver=APPROVER, now=approval.expires_at) is None
    assert store.approvals.reject(approval_id, by=APPROVER, reason=None, now=approval.expires_at) is None
    assert store.approvals.cancel(approval_id, by=REQUESTER, now=approval.expires_at) is None
    assert store.approvals.claim(approval_id, approver=APPROVER, now=approval.expires_at - timedelta(seconds=1))


@pytest.mark.parametrize(("outcome", "state"), [("ok", "done"), ("failed", "failed"), ("unknown", "unknown")])
def test_finish_records_outcome_and_recipient_total(store: Store, outcome: str, state: str) -> None:
    approval_id = _create(store)
    assert store.approvals.claim(approval_id, approver=APPROVER)
    assert store.approvals.finish(approval_id, outcome, detail="sent", total_recipients=1187)  # type: ignore[arg-type]
    approval = store.approvals.get(approval_id)
    assert approval is not None
    assert (approval.state, approval.detail, approval.total_recipients) == (state, "sent", 1187)
    assert approval.finished_at is not None
    assert not store.approvals.finish(approval_id, "ok")


def test_finish_before_approval_changes_nothing(store: Store) -> None:
    approval_id = _create(store)
    assert not store.approvals.finish(approval_id, "ok")
    assert store.approvals.get(approval_id).state == "pending"  # type: ignore[union-attr]


def test_reject_records_who_when_and_why_and_blocks_approval(store: Store) -> None:
    approval_id = _create(store)
    rejected = store.approvals.reject(approval_id, by=APPROVER, reason="wrong card")
    assert rejected is not None
    assert (rejected.state, rejected.rejected_by, rejected.rejection_reason) == ("rejected", APPROVER, "wrong card")
    assert rejected.rejected_at is not None
    assert store.approvals.claim(approval_id, approver=OTHER_ADMIN) is None
    assert store.approvals.reject(approval_id, by=OTHER_ADMIN, reason=None) is None
    assert store.approvals.cancel(approval_id, by=REQUESTER) is None


def test_reject_after_approval_is_refused(store: Store) -> None:
    approval_id = _create(store)
    assert store.approvals.claim(approval_id, approver=APPROVER)
    assert store.approvals.reject(approval_id, by=OTHER_ADMIN, reason="too late") is None
    assert store.approvals.get(approval_id).state == "executing"  # type: ignore[union-attr]


def test_only_the_requester_can_cancel(store: Store) -> None:
    approval_id = _create(store)
    assert store.approvals.cancel(approval_id, by=APPROVER) is None
    cancelled = store.approvals.cancel(approval_id, by=REQUESTER)
    assert cancelled is not None
    assert cancelled.state == "cancelled"
    assert cancelled.cancelled_at is not None
    assert store.approvals.claim(approval_id, approver=APPROVER) is None


def test_cancel_after_approval_is_refused(store: Store) -> None:
    approval_id = _create(store)
    assert store.approvals.claim(approval_id, approver=APPROVER)
    assert store.approvals.cancel(approval_id, by=REQUESTER) is None


def test_an_approval_claimed_before_a_crash_can_never_be_claimed_again(database_url: str) -> None:
    crashed = Store.connect(database_url)
    approval_id = _create(crashed)
    assert crashed.approvals.claim(approval_id, approver=APPROVER)
    crashed.close()  # the process dies before finish()

    with Store.connect(database_url) as restarted:
        assert restarted.approvals.claim(approval_id, approver=APPROVER) is None
        assert restarted.approvals.claim(approval_id, approver=OTHER_ADMIN) is None
        assert restarted.approvals.get(approval_id).state == "executing"  # type: ignore[union-attr]


def test_expire_due_marks_only_pending_approvals_past_their_expiry(store: Store) -> None:
    short, long_lived = _create(store, ttl=timedelta(hours=1)), _create(store)
    assert store.approvals.expire_due(datetime.now(UTC) + timedelta(hours=2)) == 1
    assert store.approvals.get(short).state == "expired"  # type: ignore[union-attr]
    assert store.approvals.get(long_lived).state == "pending"  # type: ignore[union-attr]


def test_recipient_ids_must_be_member_ids(store: Store) -> None:
    with pytest.raises(ValueError, match="recipient_ids"):
        store.approvals.create(
            card_id=7, message="hi", recipient_ids=["ann@example.com"],  # type: ignore[list-item]
            recipient_count=1, requester=REQUESTER, team_id="T1", channel_id="C1",
        )
