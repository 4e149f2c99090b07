"""Any JSON object with the documented fields, in any combination and of any type, parses or raises
the client's own error: never a raw KeyError, TypeError, OverflowError or pydantic ValidationError."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.coupontools import ApiUnavailable, Card, CreatedMember, Member, OutcomeUnknown, PushResult, Reward
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.models import MEMBER_FIELDS

ODD_TEXT = st.sampled_from([
    "", " ", "12", " 12 ", "-3", "1e400", "inf", "nan", "١٢", "²", "0x1f", "true",
    "2024-02-12 12:31:06", "2024-02-30 25:61:00", "2024-02-12T12:31:06+02:00", "9999-12-31 23:59:59",
    "0000-00-00 00:00:00", "John@Doe.com",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20), ODD_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
ID_VALUES = st.one_of(st.integers(min_value=1, max_value=10**9), JSON_VALUES)


def objects(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects holding any subset of `fields` (missing, null or odd), plus stray keys."""
    return st.builds(
        lambda chosen, extra: {**extra, **chosen},
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=3),
    )


REWARDS = objects({
    "id": ID_VALUES, "name": JSON_VALUES, "added_at": JSON_VALUES, "expired_at": JSON_VALUES,
    "used_at": JSON_VALUES,
})
MEMBERS = objects({
    "id": ID_VALUES, "code": JSON_VALUES, **dict.fromkeys(MEMBER_FIELDS, JSON_VALUES),
    "stamps": JSON_VALUES, "download_url": JSON_VALUES, "created_at": JSON_VALUES,
    "voided_at": JSON_VALUES, "expired_at": JSON_VALUES,
    "rewards": st.one_of(st.lists(st.one_of(REWARDS, JSON_VALUES), max_size=4), JSON_VALUES),
})
CARDS = objects({
    "id": ID_VALUES, "code": JSON_VALUES, "name": JSON_VALUES, "domain": JSON_VALUES, "type": JSON_VALUES,
})
PUSH_RESULTS = objects({"message": JSON_VALUES, "total_recipients": JSON_VALUES})


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(MEMBERS)
def test_any_member_object_parses_or_fails_validation(data: dict[str, Any]) -> None:
    try:
        member = Member.model_validate(data)
    except ValidationError:
        return
    assert isinstance(member.id, int)
    assert member.stamps is None or isinstance(member.stamps, int)
    assert all(isinstance(reward, Reward) and isinstance(reward.id, int) for reward in member.rewards)
    assert all(isinstance(value, str) for value in member.fields().values())
    now = datetime(2024, 2, 20)
    assert len(member.available_rewards(now)) + len(member.used_rewards()) + len(
        member.expired_rewards(now)) == len(member.rewards)
    assert isinstance(member.full_name, str)


@settings(max_examples=200)
@given(MEMBERS)
def test_a_member_with_a_valid_id_is_never_refused_for_its_other_fields(data: dict[str, Any]) -> None:
    member = Member.model_validate({**data, "id": 5})
    assert member.id == 5


@settings(max_examples=200)
@given(CARDS)
def test_any_card_object_parses_or_fails_validation(data: dict[str, Any]) -> None:
    try:
        card = Card.model_validate(data)
    except ValidationError:
        return
    assert isinstance(card.display_name, str)


@settings(max_examples=200)
@given(PUSH_RESULTS)
def test_any_push_result_object_parses(data: dict[str, Any]) -> None:
    result = PushResult.model_validate(data)
    assert result.total_recipients >= 0


@pytest.fixture(scope="module")
def answering_client() -> Any:
    """A client whose fake API answers every request with the JSON text in `answer[0]`."""
    answer = ["null"]
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, content=answer[0].encode()))
    with LoyaltyClient("http://127.0.0.1:9/v4", "k", "s", transport=transport) as client:
        yield client, answer


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(MEMBERS, st.lists(MEMBERS, max_size=3), JSON_VALUES))
def test_the_client_turns_any_member_body_into_a_member_or_its_own_error(
    answering_client: Any, body: Any
) -> None:
    client, answer = answering_client
    answer[0] = json.dumps(body)  # Python's json writes NaN and Infinity, as sloppy servers do
    for call in (lambda: client.get_member(1, 2), lambda: client.search_members(1)):
        with contextlib.suppress(ApiUnavailable):
            call()


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(CARDS, st.lists(CARDS, max_size=3), JSON_VALUES))
def test_the_client_turns_any_card_body_into_cards_or_its_own_error(answering_client: Any, body: Any) -> None:
    client, answer = answering_client
    answer[0] = json.dumps(body)
    try:
        cards = client.list_cards()
    except ApiUnavailable:
        return
    assert all(isinstance(card, Card) for card in cards)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.lists(MEMBERS, max_size=3), MEMBERS, JSON_VALUES))
def test_the_client_turns_any_bulk_answer_into_created_members_or_its_own_error(
    answering_client: Any, body: Any
) -> None:
    client, answer = answering_client
    answer[0] = json.dumps(body)
    try:
        created = client.create_chunk(1, [{"first_name": "A"}])
    except OutcomeUnknown:
        return
    assert all(isinstance(member, CreatedMember) for member in created)
    # The same ids, codes and links the full model reads: the light one only skips the other fields.
    full = [Member.model_validate(item) for item in body]
    assert [(m.id, m.code, m.download_url) for m in created] == [
        (m.id, m.code, m.download_url) for m in full
    ]
