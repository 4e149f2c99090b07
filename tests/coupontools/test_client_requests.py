"""Every endpoint sends the documented method, path, headers and body, and parses the documented answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

import bot
from bot.coupontools import Card, CreatedMember, InvalidInput, Member, OutcomeUnknown, PushResult
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.transport import DEFAULT_TIMEOUT
from tests.coupontools.conftest import API_KEY, API_SECRET, CARD, MEMBER, FakeApi

CARDS = "/v4/loyalty/loyalty-cards"

ENDPOINTS: list[tuple[str, Callable[[LoyaltyClient], Any], Any, str, str, Any]] = [
    ("list cards", lambda c: c.list_cards(), [CARD], "GET", CARDS, None),
    ("copy card", lambda c: c.copy_card(123456, "Summer copy"), CARD, "POST",
     f"{CARDS}/123456/copy", {"name": "Summer copy"}),
    ("copy card unnamed", lambda c: c.copy_card(123456), CARD, "POST", f"{CARDS}/123456/copy", {}),
    ("search members", lambda c: c.search_members(7, "doe", strict=True, include_voided=True, page=3, limit=20),
     [MEMBER], "GET", f"{CARDS}/7/stats",
     {"filter": {"keyword": "doe", "strict": True}, "include_voided": True,
      "pagination": {"page": 3, "limit": 20}}),
    ("list members", lambda c: c.search_members(7), [MEMBER], "GET", f"{CARDS}/7/stats",
     {"include_voided": False, "pagination": {"page": 1, "limit": 10}}),
    ("get member", lambda c: c.get_member(7, 2), MEMBER, "GET", f"{CARDS}/7/stats/2", None),
    ("create member", lambda c: c.create_member(7, {"first_name": "John", "custom_3": "x"}), MEMBER, "POST",
     f"{CARDS}/7/stats", {"first_name": "John", "custom_3": "x"}),
    ("update member", lambda c: c.update_member(7, 2, {"email": "j@d.com"}), MEMBER, "POST",
     f"{CARDS}/7/stats/2", {"email": "j@d.com"}),
    ("add stamps", lambda c: c.add_stamps(7, 2, 3), MEMBER, "POST", f"{CARDS}/7/stats/2/stamps", {"amount": 3}),
    ("use rewards", lambda c: c.use_rewards(7, 2, [7, 9]), MEMBER, "PUT", f"{CARDS}/7/stats/2/rewards",
     {"reward_ids": [7, 9]}),
    ("void member", lambda c: c.void_member(7, 2), MEMBER, "PUT", f"{CARDS}/7/stats/2/void", None),
    ("delete member", lambda c: c.delete_member(7, 2), None, "DELETE", f"{CARDS}/7/stats/2", None),
    ("broadcast push", lambda c: c.push(7, "Double stamps today"),
     {"message": "Push notification", "total_recipients": 40}, "POST", f"{CARDS}/7/push-notifications",
     {"message": "Double stamps today"}),
    ("targeted push", lambda c: c.push(7, "Hi", [2, 5]),
     {"message": "Targeted push notification", "total_recipients": 2}, "POST",
     f"{CARDS}/7/push-notifications", {"message": "Hi", "recipient_stat_ids": [2, 5]}),
]


@pytest.mark.parametrize(
    ("call", "answer", "method", "path", "body"),
    [pytest.param(*endpoint[1:], id=endpoint[0]) for endpoint in ENDPOINTS],
)
def test_endpoint_sends_documented_request(
    client: LoyaltyClient, api: FakeApi, call: Callable[[LoyaltyClient], Any], answer: Any,
    method: str, path: str, body: Any,
) -> None:
    api.reply(httpx.Response(200, json=answer) if answer is not None else httpx.Response(204))
    call(client)
    assert len(api.requests) == 1
    request = api.last
    assert (request.method, request.url.path) == (method, path)
    assert api.body() == body
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["x-api-secret"] == API_SECRET
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == f"loyalty-bot/{bot.__version__}"


def test_bulk_create_posts_rows_as_a_json_array(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=[MEMBER, {**MEMBER, "id": 3}]))
    created = client.create_chunk(7, [{"first_name": "A"}, {"email": "b@c.de"}])
    assert (api.last.method, api.last.url.path) == ("POST", f"{CARDS}/7/stats/bulk")
    assert api.body() == [{"first_name": "A"}, {"email": "b@c.de"}]
    assert created == [
        CreatedMember(id=2, code=MEMBER["code"], download_url=MEMBER["download_url"]),
        CreatedMember(id=3, code=MEMBER["code"], download_url=MEMBER["download_url"]),
    ]


def test_a_bulk_answer_item_without_a_usable_id_is_an_unknown_outcome(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=[MEMBER, {**MEMBER, "id": "not a number"}]))
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_chunk(7, [{"first_name": "A"}, {"email": "b@c.de"}])
    assert "at 1.id" in caught.value.message


def test_member_answer_is_parsed_into_the_model(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=MEMBER))
    member = client.get_member(7, 2)
    assert isinstance(member, Member)
    assert (member.id, member.stamps, member.full_name) == (2, 6, "John Doe")
    assert member.created_at == datetime(2024, 2, 12, 12, 31, 6)
    assert [reward.id for reward in member.used_rewards()] == [12]
    assert [reward.id for reward in member.available_rewards(datetime(2024, 2, 20))] == [7]


def test_cards_and_push_results_are_parsed(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=[CARD, {"id": "9", "type": "stamp"}]),
              httpx.Response(200, json={"message": "Targeted push notification", "total_recipients": 1}))
    cards = client.list_cards()
    assert cards[0] == Card(**CARD)
    assert (cards[1].id, cards[1].type, cards[1].display_name) == (9, "stamp", "9")
    assert client.push(7, "Hi", [2]) == PushResult(message="Targeted push notification", total_recipients=1)


def test_requests_use_explicit_default_timeouts(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=[]))
    client.list_cards()
    timeout = api.last.extensions["timeout"]
    assert timeout["connect"] == DEFAULT_TIMEOUT.connect == 3.0
    assert timeout["read"] == DEFAULT_TIMEOUT.read == 10.0


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(lambda c: c.add_stamps(7, 2, 0), "amount", id="zero stamps"),
        pytest.param(lambda c: c.add_stamps(7, 2, True), "amount", id="boolean stamps"),
        pytest.param(lambda c: c.copy_card(7, "x" * 51), "name", id="card name over 50"),
        pytest.param(lambda c: c.use_rewards(7, 2, []), "reward_ids", id="no rewards"),
        pytest.param(lambda c: c.push(7, "Hi", []), "recipient_ids", id="empty recipient list"),
        pytest.param(lambda c: c.push(7, "  "), "message", id="blank message"),
        pytest.param(lambda c: c.create_member(7, {"nickname": "x"}), "nickname", id="unknown field"),
        pytest.param(lambda c: c.update_member(7, 2, {}), None, id="nothing to update"),
        pytest.param(lambda c: c.get_member(7, -1), "member_id", id="negative member id"),
        pytest.param(lambda c: c.search_members(7, page=0), "page", id="page zero"),
    ],
)
def test_values_the_api_would_refuse_are_refused_before_sending(
    client: LoyaltyClient, api: FakeApi, call: Callable[[LoyaltyClient], Any], field: str | None
) -> None:
    with pytest.raises(InvalidInput) as caught:
        call(client)
    assert caught.value.field == field
    assert api.requests == []


def test_a_card_name_of_exactly_fifty_characters_is_sent(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=CARD))
    client.copy_card(7, "x" * 50)
    assert api.body() == {"name": "x" * 50}


def test_delete_ignores_whatever_body_comes_back(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, text="<html>deleted</html>"))
    assert client.delete_member(7, 2) is None


def test_client_repr_shows_no_credentials(client: LoyaltyClient) -> None:
    assert API_SECRET not in repr(client)
    assert API_KEY not in repr(client)


def test_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        LoyaltyClient("ftp://example.invalid/v4", API_KEY, API_SECRET)
