"""Reads are retried when a repeat is safe; a change is never sent twice once it may have arrived."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.coupontools import ApiUnavailable, OutcomeUnknown, RateLimited
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.transport import _BACKOFF_CAP
from tests.coupontools.conftest import API_KEY, API_SECRET, CARD, MEMBER, FakeApi, error_envelope

CHANGES: list[Any] = [
    pytest.param(lambda c: c.add_stamps(7, 2, 1), id="stamp"),
    pytest.param(lambda c: c.use_rewards(7, 2, [7]), id="redeem"),
    pytest.param(lambda c: c.void_member(7, 2), id="void"),
    pytest.param(lambda c: c.delete_member(7, 2), id="delete"),
    pytest.param(lambda c: c.push(7, "Hi"), id="push"),
    pytest.param(lambda c: c.create_member(7, {"first_name": "A"}), id="create"),
    pytest.param(lambda c: c.update_member(7, 2, {"first_name": "A"}), id="update"),
    pytest.param(lambda c: c.copy_card(7), id="copy"),
]


def test_a_read_is_retried_after_a_503_and_succeeds(
    client: LoyaltyClient, api: FakeApi, sleeps: list[float]
) -> None:
    api.reply(httpx.Response(503, text="busy"), httpx.Response(200, json=MEMBER))
    assert client.get_member(7, 2).id == 2
    assert len(api.requests) == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(lambda r: httpx.ReadTimeout("slow", request=r), id="read timeout"),
        pytest.param(lambda r: httpx.ConnectError("refused", request=r), id="connect error"),
        pytest.param(lambda r: httpx.RemoteProtocolError("dropped", request=r), id="dropped connection"),
        pytest.param(lambda _request: httpx.Response(502), id="502"),
    ],
)
def test_a_read_is_retried_after_a_transient_failure(
    client: LoyaltyClient, api: FakeApi, failure: Callable[[httpx.Request], Any]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        outcome = failure(request)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    api.reply(fail, httpx.Response(200, json=[CARD]))
    assert [card.id for card in client.list_cards()] == [CARD["id"]]
    assert len(api.requests) == 2


def test_retry_after_on_429_is_honoured(client: LoyaltyClient, api: FakeApi, sleeps: list[float]) -> None:
    api.reply(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json=[]))
    assert client.list_cards() == []
    assert sleeps == [3.0]


def test_backoff_grows_with_full_jitter_and_stops_at_the_attempt_limit(
    client: LoyaltyClient, api: FakeApi, sleeps: list[float]
) -> None:
    api.default = httpx.Response(503)
    with pytest.raises(ApiUnavailable) as caught:
        client.list_cards()
    assert caught.value.status == 503
    assert len(api.requests) == 5
    assert len(sleeps) == 4
    for attempt, wait in enumerate(sleeps):
        assert 0.0 <= wait <= min(_BACKOFF_CAP, 0.25 * 2**attempt)


def test_retries_stop_when_the_budget_is_spent(api: FakeApi) -> None:
    sleeps: list[float] = []
    api.default = httpx.Response(503, headers={"Retry-After": "4"})
    with LoyaltyClient("http://127.0.0.1:9/v4", API_KEY, API_SECRET, transport=httpx.MockTransport(api.handle),
                       retry_budget=10.0, max_attempts=50, sleep=sleeps.append) as client, \
            pytest.raises(ApiUnavailable):
        client.list_cards()
    assert sleeps == [4.0, 4.0]  # a third wait would pass ten seconds
    assert len(api.requests) == 3


def test_a_rate_limited_read_gives_up_with_rate_limited(
    client: LoyaltyClient, api: FakeApi, sleeps: list[float]
) -> None:
    api.default = httpx.Response(429, headers={"Retry-After": "1"}, json=error_envelope(429, "slow down"))
    with pytest.raises(RateLimited) as caught:
        client.search_members(7)
    assert caught.value.retry_after == 1.0
    assert sleeps == [1.0] * 4


@pytest.mark.parametrize("call", CHANGES)
def test_a_change_that_timed_out_reading_is_of_unknown_outcome_and_sent_once(
    client: LoyaltyClient, api: FakeApi, sleeps: list[float], call: Callable[[LoyaltyClient], Any]
) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    api.default = time_out
    with pytest.raises(OutcomeUnknown):
        call(client)
    assert len(api.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(lambda r: httpx.RemoteProtocolError("Server disconnected", request=r), id="dropped"),
        pytest.param(lambda r: httpx.ReadError("reset", request=r), id="read error"),
        pytest.param(lambda r: httpx.WriteError("broken pipe", request=r), id="write error"),
        pytest.param(lambda r: httpx.WriteTimeout("stuck", request=r), id="write timeout"),
        pytest.param(lambda r: httpx.DecodingError("bad gzip", request=r), id="undecodable answer"),
    ],
)
def test_a_change_whose_connection_failed_after_sending_is_never_repeated(
    client: LoyaltyClient, api: FakeApi, failure: Callable[[httpx.Request], Exception]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure(request)

    api.default = fail
    with pytest.raises(OutcomeUnknown):
        client.add_stamps(7, 2, 1)
    assert len(api.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_answer_to_a_change_is_of_unknown_outcome_and_not_repeated(
    client: LoyaltyClient, api: FakeApi, status: int
) -> None:
    api.default = httpx.Response(status, text="upstream trouble")
    with pytest.raises(OutcomeUnknown) as caught:
        client.add_stamps(7, 2, 1)
    assert caught.value.status == status
    assert len(api.requests) == 1


@pytest.mark.parametrize("call", CHANGES)
def test_a_change_that_could_not_connect_is_retried(
    client: LoyaltyClient, api: FakeApi, call: Callable[[LoyaltyClient], Any]
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api.reply(refuse, lambda r: httpx.Response(200, json=CARD) if r.url.path.endswith("/copy")
              else httpx.Response(200, json=MEMBER))
    call(client)
    assert len(api.requests) == 2


def test_a_change_answered_429_is_retried_after_the_wait_asked(
    client: LoyaltyClient, api: FakeApi, sleeps: list[float]
) -> None:
    api.reply(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=MEMBER))
    assert client.add_stamps(7, 2, 1).stamps == 6
    assert sleeps == [2.0]
    assert len(api.requests) == 2


def test_a_change_that_never_connects_gives_up_as_unavailable(
    client: LoyaltyClient, api: FakeApi
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("no route", request=request)

    api.default = refuse
    with pytest.raises(ApiUnavailable):
        client.push(7, "Hi")
    assert len(api.requests) == 5


def test_a_read_that_keeps_timing_out_ends_as_unavailable(client: LoyaltyClient, api: FakeApi) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    api.default = time_out
    with pytest.raises(ApiUnavailable) as caught:
        client.get_member(7, 2)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(api.requests) == 5
