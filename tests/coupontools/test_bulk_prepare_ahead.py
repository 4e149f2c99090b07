"""Bulk imports that prepare the next chunk while the current one is on the wire (`prepare_ahead`).

Nothing may be sent earlier than without it: chunk k+1 goes out only after chunk k's answer was read,
judged and heard by `on_chunk`, never after an error that stops the import, and with the same bytes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coupontools import ApiUnavailable, BadCredentials, InvalidInput, OutcomeUnknown
from bot.coupontools.bulk import ChunkResult
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.models import MEMBER_FIELDS
from bot.coupontools.transport import encode_json
from tests.coupontools.conftest import API_KEY, API_SECRET, BASE_URL, FakeApi, error_envelope
from tests.coupontools.test_paging_and_bulk import created_for, rows

AHEAD = pytest.mark.parametrize("ahead", [False, True], ids=["one-at-a-time", "prepare-ahead"])

ODD_VALUES = [
    "Zoë", "Øyvind", "名前", "😀 emoji", "e\u0301", "\u202eRTL", "line\u2028sep", 'quote " and \\ backslash',
    "tab\tand\nnewline", "\x00\x1f controls", "\ufeff BOM", "\U0010ffff max", "  spaces  ", "", "/</script>",
]


def bulk_bodies(api: FakeApi) -> list[bytes]:
    return [request.content for request in api.requests]


def test_prepare_ahead_sends_the_same_bytes_and_hears_the_same_results() -> None:
    data = [{"first_name": value, "last_name": str(number), "custom_8": value[::-1]}
            for number, value in enumerate(ODD_VALUES * 7)]
    seen: dict[bool, tuple[list[bytes], list[httpx.Headers], list[tuple[int, int, int, int]]]] = {}
    for ahead in (False, True):
        api = FakeApi()
        api.default = created_for_any
        heard: list[ChunkResult] = []
        with LoyaltyClient(BASE_URL, API_KEY, API_SECRET, transport=httpx.MockTransport(api.handle)) as client:
            client.create_members(7, iter(data), chunk_size=10, on_chunk=heard.append, prepare_ahead=ahead)
        seen[ahead] = (bulk_bodies(api), [request.headers for request in api.requests],
                       [(r.index, r.first_row, r.size, len(r.created)) for r in heard])
    assert seen[True] == seen[False]
    # And the bytes are what httpx itself makes of `json=` for each chunk.
    expected = [httpx.Request("POST", BASE_URL, json=data[i:i + 10]).content for i in range(0, len(data), 10)]
    assert seen[True][0] == expected


def created_for_any(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(200, json=[{"id": number + 1, "code": "c"} for number in range(len(body))])


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(MEMBER_FIELDS), st.text(max_size=12), max_size=4), min_size=1,
                max_size=5))
def test_any_text_is_encoded_exactly_as_httpx_encodes_it(chunk: list[dict[str, str]]) -> None:
    """st.text() includes lone surrogates: httpx cannot encode them either, and fails the same way."""
    try:
        theirs: bytes | type[Exception] = httpx.Request("POST", BASE_URL, json=chunk).content
    except UnicodeEncodeError:
        theirs = UnicodeEncodeError
    try:
        ours: bytes | type[Exception] = encode_json(chunk)
    except UnicodeEncodeError:
        ours = UnicodeEncodeError
    assert ours == theirs


@AHEAD
def test_a_chunk_that_cannot_be_encoded_fails_the_import_where_it_did_before(
    client: LoyaltyClient, api: FakeApi, ahead: bool
) -> None:
    """A lone surrogate cannot be UTF-8: the chunks before it are sent and heard, it and later ones never."""
    api.default = created_for
    heard: list[ChunkResult] = []
    source = [{"first_name": "1"}, {"first_name": "2"}, {"first_name": "3", "last_name": "\ud800"},
              {"first_name": "4"}, {"first_name": "5"}]
    with pytest.raises(UnicodeEncodeError):
        client.create_members(7, source, chunk_size=2, on_chunk=heard.append, prepare_ahead=ahead)
    assert [r.index for r in heard] == [0]
    assert len(api.requests) == 1


@AHEAD
@pytest.mark.parametrize(
    ("stopper", "error"),
    [
        (httpx.Response(401, json=error_envelope(1000, "Client ID or Secret not correct")), BadCredentials),
        (httpx.Response(502, text="bad gateway"), OutcomeUnknown),
        (httpx.ReadTimeout("no answer"), OutcomeUnknown),
        (httpx.Response(200, text="<html>not json</html>"), OutcomeUnknown),
        (httpx.Response(404, json=error_envelope(505, "no such card")), Exception),
    ],
    ids=["auth", "5xx", "timeout", "unreadable-2xx", "unknown-card"],
)
def test_a_stopping_error_stops_the_import_with_the_rows_left_counted(
    client: LoyaltyClient, api: FakeApi, ahead: bool, stopper: Any, error: type[Exception]
) -> None:
    api.reply(created_for, created_for, stopper)
    api.default = created_for  # were anything sent after the stop, it would be "created"
    heard: list[ChunkResult] = []
    result = client.create_members(7, rows(10), chunk_size=3, on_chunk=heard.append, prepare_ahead=ahead)
    assert isinstance(result.stopped_by, error)
    assert len(api.requests) == 3
    assert [r.index for r in heard] == [0, 1, 2]
    assert (result.chunks, result.created, result.not_sent) == (3, 6, 1)
    assert result.failed + result.unknown == 3


@AHEAD
def test_the_source_is_read_at_most_one_chunk_ahead_and_chunks_are_heard_before_the_next_is_sent(
    client: LoyaltyClient, api: FakeApi, ahead: bool
) -> None:
    read: list[int] = []
    events: list[tuple[str, int]] = []

    def source() -> Iterator[dict[str, str]]:
        for number in range(1, 11):
            read.append(number)
            yield {"first_name": str(number)}

    def answer(request: httpx.Request) -> httpx.Response:
        sent = sum(1 for kind, _ in events if kind == "sent")
        events.append(("sent", sent))
        # Chunk k (of 3 rows) is on the wire: its rows were read, and at most the next chunk's too.
        assert 3 * sent + len(json.loads(request.content)) <= len(read) <= 3 * (sent + 2)
        return created_for(request)

    api.default = answer
    result = client.create_members(7, source(), chunk_size=3, on_chunk=lambda r: events.append(("heard", r.index)),
                                   prepare_ahead=ahead)
    assert result.created == 10
    assert events == [("sent", 0), ("heard", 0), ("sent", 1), ("heard", 1), ("sent", 2), ("heard", 2),
                      ("sent", 3), ("heard", 3)]


def test_prepare_ahead_uses_a_helper_thread_that_ends_with_the_import(client: LoyaltyClient, api: FakeApi) -> None:
    preparing: set[str] = set()

    def source() -> Iterator[dict[str, str]]:
        for number in range(1, 8):
            preparing.add(threading.current_thread().name)
            yield {"first_name": str(number)}

    api.default = created_for
    client.create_members(7, source(), chunk_size=2, prepare_ahead=True)
    assert preparing
    assert threading.main_thread().name not in preparing
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("bulk-prepare")]


@AHEAD
def test_a_refused_or_unsendable_chunk_does_not_stop_the_import(
    client: LoyaltyClient, api: FakeApi, ahead: bool
) -> None:
    api.reply(created_for, httpx.Response(422, json=error_envelope(302, "rows[1].email: not valid")), created_for)
    heard: list[ChunkResult] = []
    source = [{"first_name": "1"}, {"first_name": "2"}, {"first_name": "3"}, {"first_name": "4"},
              {"nickname": "x"}, {"first_name": "6"}, {"first_name": "7"}]
    result = client.create_members(7, source, chunk_size=2, on_chunk=heard.append, prepare_ahead=ahead)
    assert [(r.index, type(r.error)) for r in heard] == [(0, type(None)), (1, InvalidInput), (2, InvalidInput),
                                                           (3, type(None))]
    assert len(api.requests) == 3  # the chunk with an unknown field never went out
    assert (result.created, result.failed, result.not_sent, result.stopped_by) == (3, 4, 0, None)


@AHEAD
def test_a_failing_source_raises_after_the_chunks_before_it_were_sent_and_heard(
    client: LoyaltyClient, api: FakeApi, ahead: bool
) -> None:
    def source() -> Iterator[dict[str, str]]:
        yield from ({"first_name": str(number)} for number in range(1, 5))
        raise RuntimeError("the source broke")

    api.default = created_for
    heard: list[int] = []
    with pytest.raises(RuntimeError, match="the source broke"):
        client.create_members(7, source(), chunk_size=2, on_chunk=lambda r: heard.append(r.index),
                              prepare_ahead=ahead)
    assert heard == [0, 1]
    assert len(api.requests) == 2


@AHEAD
def test_an_on_chunk_that_raises_stops_the_import_there(client: LoyaltyClient, api: FakeApi, ahead: bool) -> None:
    api.default = created_for

    def on_chunk(result: ChunkResult) -> None:
        if result.index == 1:
            raise ValueError("the progress update broke")

    with pytest.raises(ValueError, match="progress update"):
        client.create_members(7, rows(10), chunk_size=2, on_chunk=on_chunk, prepare_ahead=ahead)
    assert len(api.requests) == 2


@AHEAD
def test_connection_failures_are_retried_with_the_same_body(
    client: LoyaltyClient, api: FakeApi, sleeps: list[float], ahead: bool
) -> None:
    api.reply(httpx.ConnectError("refused"), created_for, httpx.Response(429), created_for)
    result = client.create_members(7, rows(4), chunk_size=2, prepare_ahead=ahead)
    assert result.created == 4
    assert [request.content for request in api.requests] == [
        b'[{"first_name":"1"},{"first_name":"2"}]', b'[{"first_name":"1"},{"first_name":"2"}]',
        b'[{"first_name":"3"},{"first_name":"4"}]', b'[{"first_name":"3"},{"first_name":"4"}]',
    ]
    assert len(sleeps) == 2


@AHEAD
def test_an_api_that_stays_down_stops_the_import(client: LoyaltyClient, api: FakeApi, ahead: bool) -> None:
    api.default = httpx.ConnectError("refused")
    result = client.create_members(7, rows(5), chunk_size=2, prepare_ahead=ahead)
    assert isinstance(result.stopped_by, ApiUnavailable)
    assert (result.chunks, result.failed, result.not_sent) == (1, 2, 3)
