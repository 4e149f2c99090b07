"""Member paging stops where it must; bulk imports stream in chunks and report each one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.coupontools import ApiUnavailable, BadCredentials, InvalidInput, OutcomeUnknown
from bot.coupontools.bulk import ChunkResult
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


def test_bulk_import_of_ten_thousand_rows_streams_chunk_by_chunk(client: LoyaltyClient, api: FakeApi) -> None:
    api.default = created_for
    reports: list[ChunkResult] = []
    result = client.create_members(7, rows(10_000), chunk_size=250, on_chunk=reports.append)
    assert (result.chunks, result.created, result.failed, result.not_sent) == (40, 10_000, 0, 0)
    assert [(r.index, r.first_row, r.size) for r in reports] == [(i, i * 250, 250) for i in range(40)]
    assert len(api.requests) == 40
    assert len(api.body(0)) == 250


def test_bulk_import_reads_the_source_lazily(client: LoyaltyClient, api: FakeApi) -> None:
    read: list[int] = []

    def source() -> Iterator[dict[str, str]]:
        for number in range(1, 8):
            read.append(number)
            yield {"first_name": str(number)}

    seen_when_sent: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen_when_sent.append(len(read))
        return created_for(request)

    api.default = answer
    client.create_members(7, source(), chunk_size=3)
    assert seen_when_sent == [3, 6, 7]


def test_a_refused_chunk_is_reported_and_the_import_goes_on(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(created_for,
              httpx.Response(422, json=error_envelope(302, "rows[1].email: not a valid email address")),
              created_for)
    reports: list[ChunkResult] = []
    result = client.create_members(7, rows(5), chunk_size=2, on_chunk=reports.append)
    assert [(r.index, r.first_row, r.size, len(r.created)) for r in reports] == [(0, 0, 2, 2), (1, 2, 2, 0),
                                                                               (2, 4, 1, 1)]
    assert isinstance(reports[1].error, InvalidInput)
    assert reports[1].error.field == "email"
    assert (result.created, result.failed, result.unknown, result.not_sent) == (3, 2, 0, 0)
    assert result.stopped_by is None


def test_a_row_with_an_unknown_field_fails_its_chunk_without_sending_it(
    client: LoyaltyClient, api: FakeApi
) -> None:
    api.default = created_for
    reports: list[ChunkResult] = []
    result = client.create_members(
        7, [{"first_name": "1"}, {"nickname": "x"}, {"first_name": "3"}], chunk_size=2, on_chunk=reports.append
    )
    assert isinstance(reports[0].error, InvalidInput)
    assert len(api.requests) == 1
    assert (result.created, result.failed) == (1, 2)


def test_bad_credentials_stop_the_import_and_count_rows_not_sent(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(created_for, httpx.Response(401, json=error_envelope(1000, "Client ID or Secret not correct")))
    result = client.create_members(7, rows(10), chunk_size=3)
    assert isinstance(result.stopped_by, BadCredentials)
    assert (result.chunks, result.created, result.failed, result.not_sent) == (2, 3, 3, 4)
    assert len(api.requests) == 2


def test_a_chunk_of_unknown_outcome_is_not_resent_and_stops_the_import(
    client: LoyaltyClient, api: FakeApi
) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    api.reply(created_for, time_out)
    reports: list[ChunkResult] = []
    result = client.create_members(7, rows(7), chunk_size=3, on_chunk=reports.append)
    assert reports[1].outcome_unknown
    assert isinstance(result.stopped_by, OutcomeUnknown)
    assert (result.created, result.failed, result.unknown, result.not_sent) == (3, 0, 3, 1)
    assert len(api.requests) == 2


def test_rows_the_api_silently_skipped_count_as_failed(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json=members(1)))
    result = client.create_members(7, rows(3))
    assert (result.created, result.failed) == (1, 2)
