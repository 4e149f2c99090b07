"""Every kind of error answer becomes the right CoupontoolsError, and none of them leaks a secret."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import httpx
import pytest

from bot.coupontools import (
    ApiUnavailable,
    BadCredentials,
    CoupontoolsError,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    RateLimited,
)
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.responses import parse_error_body, parse_retry_after
from tests.coupontools.conftest import (
    API_KEY,
    API_SECRET,
    MEMBER,
    FakeApi,
    error_envelope,
    variant_envelope,
)


@pytest.mark.parametrize(
    ("status", "body", "expected", "code"),
    [
        pytest.param(401, error_envelope(1000, "HTTP/1.0 401 Unauthorized. Client ID or Secret not correct."),
                     BadCredentials, 1000, id="401 nested envelope"),
        pytest.param(403, None, BadCredentials, None, id="403 empty body"),
        pytest.param(400, error_envelope(101, "Account expired"), BadCredentials, 101, id="code 101"),
        pytest.param(404, "Not Found", NotFound, None, id="404 plain text"),
        pytest.param(400, error_envelope(505, "Loyalty card not found"), NotFound, 505, id="code 505"),
        pytest.param(400, variant_envelope([507], "Not found", []), NotFound, 507, id="code 507 variant"),
        pytest.param(404, error_envelope(301, "User not found on this loyalty card"), NotFound, 301,
                     id="404 with bad-id code"),
        pytest.param(422, variant_envelope([302], "Invalid", ["email: bad"]), InvalidInput, 302,
                     id="422 variant envelope"),
        pytest.param(400, error_envelope(200, "Required parameter missing"), InvalidInput, 200, id="code 200"),
        pytest.param(409, error_envelope(349, "Bad value"), InvalidInput, 349, id="code 349 on odd status"),
        pytest.param(409, {"unexpected": True}, CoupontoolsError, None, id="other 4xx"),
    ],
)
def test_error_answers_map_to_the_documented_exceptions(
    client: LoyaltyClient, api: FakeApi, status: int, body: Any, expected: type[CoupontoolsError],
    code: int | None,
) -> None:
    if body is None:
        reply = httpx.Response(status)
    elif isinstance(body, str):
        reply = httpx.Response(status, text=body)
    else:
        reply = httpx.Response(status, json=body)
    api.reply(reply)
    with pytest.raises(CoupontoolsError) as caught:
        client.get_member(7, 2)
    assert type(caught.value) is expected
    assert (caught.value.status, caught.value.code) == (status, code)
    assert len(api.requests) == 1  # 4xx are answers, not hiccups: never retried


def test_invalid_input_names_the_field_the_api_complained_about(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(422, json=variant_envelope(
        [302, 200], "email: not a valid email address",
        ["email: not a valid email address", "last name is required"])))
    with pytest.raises(InvalidInput) as caught:
        client.update_member(7, 2, {"email": "nope", "last_name": ""})
    assert caught.value.field == "email"
    assert "not a valid email address" in caught.value.message


def test_field_written_with_spaces_is_recognised(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(422, json=error_envelope(200, "The first name may not be blank")))
    with pytest.raises(InvalidInput) as caught:
        client.create_member(7, {"first_name": ""})
    assert caught.value.field == "first_name"


def test_field_is_none_when_the_message_names_no_sent_field(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(422, json=error_envelope(302, "Value not allowed")))
    with pytest.raises(InvalidInput) as caught:
        client.add_stamps(7, 2, 5)
    assert caught.value.field is None


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(httpx.Response(200, text="<html><body>Gateway login</body></html>"), id="html"),
        pytest.param(httpx.Response(200, text="OK"), id="plain text"),
        pytest.param(httpx.Response(200), id="empty"),
        pytest.param(httpx.Response(200, json={"data": [MEMBER]}), id="object instead of array"),
        pytest.param(httpx.Response(200, json=[{"code": "no id"}]), id="member without id"),
        pytest.param(httpx.Response(200, json=["a string"]), id="array of strings"),
    ],
)
def test_a_read_answered_with_an_unexpected_body_raises_api_unavailable(
    client: LoyaltyClient, api: FakeApi, reply: httpx.Response
) -> None:
    api.reply(reply)
    with pytest.raises(ApiUnavailable):
        client.search_members(7)


def test_a_change_answered_with_an_unexpected_body_is_of_unknown_outcome(
    client: LoyaltyClient, api: FakeApi
) -> None:
    api.reply(httpx.Response(200, text="<html>ok</html>"))
    with pytest.raises(OutcomeUnknown):
        client.add_stamps(7, 2, 1)
    assert len(api.requests) == 1


def test_a_bad_model_body_reports_where_but_not_what(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(200, json={"email": "private@example.org", "id": "not a number"}))
    with pytest.raises(ApiUnavailable) as caught:
        client.get_member(7, 2)
    assert "at id" in str(caught.value)
    assert "private@example.org" not in "".join(traceback.format_exception(caught.value))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(error_envelope(1000, "x"), id="nested"),
        pytest.param(variant_envelope([1000, 5], "x", ["y"]), id="variant"),
        pytest.param({"status": {"status": "failed", "errors": "oops"}}, id="errors is a string"),
        pytest.param({"status": None, "errors": [{"error_code": "1000"}]}, id="errors is a list"),
        pytest.param({"errors": {"error_code": {"nested": 1}, "error_message": 42}}, id="odd types"),
        pytest.param([1, 2, 3], id="array"),
        pytest.param("text", id="string"),
        pytest.param(None, id="null"),
        pytest.param({"message": "Too many requests"}, id="bare message"),
    ],
)
def test_error_body_parser_never_crashes(body: Any) -> None:
    codes, messages = parse_error_body(body)
    assert all(isinstance(code, int) for code in codes)
    assert all(isinstance(message, str) for message in messages)


def test_error_body_parser_reads_both_envelopes() -> None:
    assert parse_error_body(error_envelope(1000, "Bad secret")) == ([1000], ["Bad secret"])
    assert parse_error_body(variant_envelope([302, 200], "Invalid", ["a", "b"])) == (
        [302, 200], ["Invalid", "a", "b"])


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
     ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0), ("soon", None), ("", None), (None, None), ("nan", None)],
)
def test_retry_after_reads_seconds_and_http_dates(header: str | None, seconds: float | None) -> None:
    from datetime import UTC, datetime

    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == seconds


def test_rate_limited_carries_retry_after(api: FakeApi) -> None:
    api.reply(httpx.Response(429, headers={"Retry-After": "120"}, json=error_envelope(429, "slow down")))
    with LoyaltyClient("http://127.0.0.1:9/v4", API_KEY, API_SECRET, transport=httpx.MockTransport(api.handle),
                       retry_budget=10.0, sleep=lambda _: None) as client, pytest.raises(RateLimited) as caught:
        client.list_cards()
    assert caught.value.retry_after == 120.0
    assert len(api.requests) == 1  # waiting two minutes does not fit a ten-second budget


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(httpx.Response(401, json=error_envelope(1000, f"Secret {API_SECRET} / {API_KEY} wrong")),
                     id="echoed in an error"),
        pytest.param(httpx.Response(422, json=variant_envelope([302], API_SECRET, [API_SECRET])),
                     id="echoed in a variant"),
        pytest.param(httpx.Response(503, text=f"<html>{API_SECRET}</html>"), id="echoed in html"),
        pytest.param(httpx.ConnectError(f"refused {API_SECRET}"), id="connection error"),
    ],
)
def test_the_api_secret_never_appears_in_errors_or_logs(
    client: LoyaltyClient, api: FakeApi, caplog: pytest.LogCaptureFixture, reply: Any
) -> None:
    api.reply(reply, reply, reply, reply, reply)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CoupontoolsError) as caught:
        client.list_cards()
    error = caught.value
    visible = [str(error), repr(error), error.message, caplog.text, repr(client)]
    for text in visible:
        assert API_SECRET not in text
        assert API_KEY not in text
    assert caplog.records  # one line per request was logged


def test_contact_details_echoed_by_the_api_are_redacted(client: LoyaltyClient, api: FakeApi) -> None:
    api.reply(httpx.Response(422, json=error_envelope(
        302, "Member john.doe@example.org with phone +32 475 12 34 56 already exists (card 505)")))
    with pytest.raises(InvalidInput) as caught:
        client.create_member(7, {"email": "john.doe@example.org"})
    assert "john.doe@example.org" not in caught.value.message
    assert "475" not in caught.value.message
    assert "card 505" in caught.value.message


def test_each_request_logs_method_path_status_and_latency(
    client: LoyaltyClient, api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.coupontools")
    api.reply(httpx.Response(200, json=[MEMBER]))
    client.search_members(7, "John@Doe.com")
    [record] = caplog.records
    assert record.http_method == "GET"
    assert record.http_path == "/loyalty/loyalty-cards/7/stats"
    assert record.http_status == 200
    assert isinstance(record.latency_ms, int)
    assert "John@Doe.com" not in caplog.text
