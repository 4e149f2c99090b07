"""Member paging stops where it must; a bulk chunk is sent once and its errors say what happened."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.coupontools import ApiUnavailable, BadCredentials, InvalidInput, OutcomeUnknown
from bot.coupontools.bulk import stops_import
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.paging import LIMIT_FIELD, PAGE_FIELD, PAGINATION_FIELD
from tests.coupontools.conftest import MEMBER, FakeApi, error_envelope


def members(*ids: int) -> list[dict[str, Any]]:
    return [{**MEMBER, "id": member_id} for member_id in ids]


def pages_asked(api: FakeApi) -> list[int]:
    return [api.body(index)[PAGINATION_FIELD][PAGE_FIELD] for index in range(len(api.requests))]


def test_paging_stops_at_a_short_page(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(1, 2)), httpx.Response(200, json=members(3)))
    assert [m.id for m in client.iter_members(7, page_size=2)] == [1, 2, 3]
    assert pages_asked(api) == [1, 2]
    assert api.body()[PAGINATION_FIELD][LIMIT_FIELD] == 2


def test_paging_stops_at_an_empty_page(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(1, 2)), httpx.Response(200, json=[]))
    assert [m.id for m in client.iter_members(7, page_size=2)] == [1, 2]
    assert pages_asked(api) == [1, 2]


def test_paging_stops_when_the_api_ignores_pagination(client: LoyaltyClient, api: FakeApi) -> None:
    api.default = httpx.Response(200, json=members(1, 2))
    assert [m.id for m in client.iter_members(7, page_size=2)] == [1, 2]
    assert pages_asked(api) == [1, 2]


def test_paging_is_lazy_and_carries_the_filter(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(1, 2)), httpx.Response(200, json=members(3, 4)))
    found = client.iter_members(7, "doe", strict=True, include_voided=True, page_size=2)
    assert api.requests == []
    assert next(found).id == 1
    assert len(api.requests) == 1
    assert api.body()["filter"] == {"keyword": "doe", "strict": True}
    assert api.body()["include_voided"] is True


def test_count_members_pages_through_the_card(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(*range(1, 101))), httpx.Response(200, json=members(101, 102)))
    assert client.count_members(7, include_voided=True) == 102
    assert api.body(0)["include_voided"] is True


def test_a_failed_page_raises_instead_of_ending_quietly(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(1, 2)))
    api.default = httpx.Response(503)
    with pytest.raises(ApiUnavailable):
        list(client.iter_members(7, page_size=2))


def created_for(request: httpx.Request) -> httpx.Response:
    """Answers a bulk create like the API: one member per row, with ids from the first name."""
    rows = json.loads(request.content)
    return httpx.Response(200, json=[{"id": int(row["first_name"]), "code": "c"} for row in rows])


def rows(count: int) -> Iterator[dict[str, str]]:
    """A generator of rows, so nothing can be re-read or counted up front."""
    for number in range(1, count + 1):
        yield {"first_name": str(number)}


def test_a_refused_chunk_is_an_invalid_input_naming_the_field(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(422, json=error_envelope(302, "rows[1].email: not a valid email address")))
    with pytest.raises(InvalidInput) as caught:
        client.create_chunk(7, list(rows(2)))
    assert caught.value.field == "email"


def test_a_row_with_an_unknown_field_fails_its_chunk_without_sending_it(
    client: LoyaltyClient, api: FakeApi
) -> None:
    api.default = created_for
    with pytest.raises(InvalidInput):
        client.create_chunk(7, [{"first_name": "1"}, {"nickname": "x"}])
    assert api.requests == []


def test_bad_credentials_stop_a_chunk(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(401, json=error_envelope(1000, "Client ID or Secret not correct")))
    with pytest.raises(BadCredentials) as caught:
        client.create_chunk(7, list(rows(3)))
    assert stops_import(caught.value)


def test_a_chunk_of_unknown_outcome_is_not_resent(client: LoyaltyClient, api: FakeApi) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    api.reply(time_out)
    with pytest.raises(OutcomeUnknown):
        client.create_chunk(7, list(rows(3)))
    assert len(api.requests) == 1


def test_rows_the_api_silently_skipped_are_missing_from_the_answer(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(1)))
    assert [m.id for m in client.create_chunk(7, list(rows(3)))] == [1]
