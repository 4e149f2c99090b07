"""The audit log: recorded before a change is sent, completed after, and never holding contact details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.store import Store
from bot.store.audit import MAX_LATEST


def _begin(store: Store, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "actor": "U_ADMIN",
        "team_id": "T1",
        "channel_id": "C1",
        "action": "void",
        "card_id": 7,
        "member_ids": [101],
        "params": {"reason": "duplicate"},
        "request_id": "req-1",
    }
    fields.update(overrides)
    return store.audit.begin(**fields)


def test_begun_entry_reads_pending_until_finished(store: Store) -> None:
    entry_id = _begin(store)
    (entry,) = store.audit.latest()
    assert entry.id == entry_id
    assert entry.outcome == "pending"
    assert entry.finished_at is None
    assert (entry.actor, entry.team_id, entry.channel_id, entry.action) == ("U_ADMIN", "T1", "C1", "void")
    assert (entry.card_id, entry.member_ids, entry.request_id) == (7, (101,), "req-1")
    assert entry.params == {"reason": "duplicate"}


@pytest.mark.parametrize("outcome", ["ok", "failed", "unknown"])
def test_finish_records_the_outcome_and_detail(store: Store, outcome: str) -> None:
    entry_id = _begin(store)
    assert store.audit.finish(entry_id, outcome, detail="API said 200")  # type: ignore[arg-type]
    entry = store.audit.get(entry_id)
    assert entry is not None
    assert (entry.outcome, entry.detail) == (outcome, "API said 200")
    assert entry.finished_at is not None
    assert entry.finished_at >= entry.created_at


def test_a_finished_entry_keeps_its_first_outcome(store: Store) -> None:
    entry_id = _begin(store)
    assert store.audit.finish(entry_id, "unknown")
    assert not store.audit.finish(entry_id, "ok")
    entry = store.audit.get(entry_id)
    assert entry is not None
    assert entry.outcome == "unknown"


def test_finish_refuses_an_outcome_that_is_not_ok_failed_or_unknown(store: Store) -> None:
    entry_id = _begin(store)
    with pytest.raises(ValueError, match="outcome"):
        store.audit.finish(entry_id, "pending")  # type: ignore[arg-type]


def test_timestamps_come_back_timezone_aware_in_utc(store: Store) -> None:
    before = datetime.now(UTC)
    entry_id = _begin(store)
    store.audit.finish(entry_id, "ok")
    entry = store.audit.get(entry_id)
    assert entry is not None
    assert entry.created_at.utcoffset() == timedelta(0)
    assert entry.finished_at is not None
    assert entry.finished_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= entry.created_at <= datetime.now(UTC) + timedelta(seconds=1)


@pytest.mark.parametrize(
    "params",
    [
        {"email": "someone@example.com"},
        {"phone": "+3212345678"},
        {"first_name": "Ann"},
        {"last_name": "Lee"},
        {"address": "Main street 1"},
        {"zip": "1000"},
        {"city": "Ghent"},
        {"custom_3": "loves coffee"},
        {"Email": "someone@example.com"},
        {"changes": {"phone": "+3212345678"}},
        {"rows": [{"custom_1": "x"}]},
    ],
)
def test_contact_details_in_params_are_refused_and_nothing_is_written(
    store: Store, params: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="contact detail") as raised:
        _begin(store, params=params)
    # The error names the key, never the value.
    assert "example.com" not in str(raised.value)
    assert "+3212345678" not in str(raised.value)
    assert store.audit.latest() == []


def test_params_naming_fields_without_their_values_are_kept(store: Store) -> None:
    entry_id = _begin(store, action="edit", params={"changed_fields": ["email", "custom_2"], "amount": 2})
    entry = store.audit.get(entry_id)
    assert entry is not None
    assert entry.params == {"changed_fields": ["email", "custom_2"], "amount": 2}


def test_member_ids_must_be_integers(store: Store) -> None:
    with pytest.raises(ValueError, match="member_ids"):
        _begin(store, member_ids=["someone@example.com"])


def test_params_that_are_not_json_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="JSON"):
        _begin(store, params={"when": datetime.now(UTC)})


def test_latest_lists_newest_first_and_pages_with_before_id(store: Store) -> None:
    ids = [_begin(store, request_id=f"req-{n}") for n in range(5)]
    first_page = store.audit.latest(limit=2)
    assert [entry.id for entry in first_page] == [ids[4], ids[3]]
    second_page = store.audit.latest(limit=2, before_id=first_page[-1].id)
    assert [entry.id for entry in second_page] == [ids[2], ids[1]]
    assert [entry.id for entry in store.audit.latest(limit=2, before_id=ids[1])] == [ids[0]]


def test_latest_filters_by_card(store: Store) -> None:
    on_seven = _begin(store, card_id=7)
    _begin(store, card_id=8)
    _begin(store, card_id=None, action="copy_card")
    assert [entry.id for entry in store.audit.latest(card_id=7)] == [on_seven]


def test_latest_refuses_silly_limits(store: Store) -> None:
    with pytest.raises(ValueError, match="limit"):
        store.audit.latest(limit=0)


def test_between_yields_entries_in_the_window_oldest_first(store: Store) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    ids = [_begin(store, card_id=7 if n % 2 else 8) for n in range(6)]
    end = datetime.now(UTC) + timedelta(seconds=1)
    assert [entry.id for entry in store.audit.between(start, end)] == ids
    assert [entry.id for entry in store.audit.between(start, end, card_id=7)] == ids[1::2]
    assert list(store.audit.between(end, end + timedelta(hours=1))) == []
    assert list(store.audit.between(start - timedelta(hours=1), start)) == []


def test_between_reads_more_than_one_batch(store: Store) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    ids = [_begin(store, request_id=f"req-{n}") for n in range(1203)]
    exported = [entry.id for entry in store.audit.between(start, datetime.now(UTC) + timedelta(seconds=1))]
    assert exported == ids


def test_between_accepts_other_time_zones_and_refuses_naive_datetimes(store: Store) -> None:
    entry_id = _begin(store)
    brussels = datetime.now(UTC).astimezone(ZoneInfo("Europe/Brussels"))
    window = list(store.audit.between(brussels - timedelta(minutes=1), brussels + timedelta(minutes=1)))
    assert [entry.id for entry in window] == [entry_id]
    with pytest.raises(ValueError, match="timezone-aware"):
        list(store.audit.between(datetime(2024, 1, 1), datetime(2030, 1, 1)))


def test_audit_entries_are_frozen(store: Store) -> None:
    entry = store.audit.get(_begin(store))
    assert entry is not None
    with pytest.raises(AttributeError):
        entry.outcome = "ok"  # type: ignore[misc]


def test_of_member_finds_a_members_entries_across_batches_newest_first(store: Store) -> None:
    mine = [_begin(store, member_ids=[101, 102])]
    store.audit.begin(actor="U1", team_id=None, channel_id=None, action="stamp", card_id=8, member_ids=[101],
                      request_id=None)  # another card
    for _ in range(MAX_LATEST + 5):  # more than one batch of other members' changes
        _begin(store, member_ids=[103])
    mine.append(_begin(store, member_ids=[101]))
    assert [entry.id for entry in store.audit.of_member(7, 101)] == mine[::-1]
    assert [entry.id for entry in store.audit.of_member(7, 101, limit=1)] == mine[-1:]
    assert [entry.id for entry in store.audit.of_member(7, 101, before_id=mine[-1])] == mine[:1]
    assert store.audit.of_member(7, 104) == []
