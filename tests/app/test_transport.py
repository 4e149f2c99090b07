"""Hostile requests at the events path: refused before Bolt, with no traceback and nothing done; replays ignored."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER

CARD = DEMO_STAMP_CARD_ID
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def trap() -> Iterator[socket.socket]:
    """A listening socket that never answers: a response_url no request may ever reach."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        yield listener


def _nobody_called(trap: socket.socket) -> bool:
    try:
        connection, _ = trap.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def _signed(stack: LocalStack, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(stack.signing_secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def _command_body(stack: LocalStack, text: str, *, user: str = VIEWER, response_url: str | None = None,
                  team_id: str | None = None) -> bytes:
    return urlencode({
        "team_id": team_id or stack.slack.config.team_id, "channel_id": "C0GENERAL", "user_id": user,
        "command": "/loyalty", "text": text, "api_app_id": stack.slack.config.app_id,
        "response_url": response_url or stack.slack.issue_response_url(user, "C0GENERAL"),
        "trigger_id": stack.slack.issue_trigger(user),
    }).encode()


def _post(stack: LocalStack, body: bytes, headers: dict[str, str], content_type: str = FORM) -> httpx.Response:
    return httpx.post(f"{stack.url}/slack/events", content=body, headers={"Content-Type": content_type, **headers})


def _nothing_ran(stack: LocalStack, since: int) -> None:
    stack.services.worker.shutdown(wait=True)
    assert stack.sandbox.requests == []
    assert stack.slack.calls(since=since) == []


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


# -- refused at the door ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "-5", "1700000000.5", "0x10"])
def test_a_timestamp_that_is_not_a_number_gets_401_and_its_response_url_is_never_called(
        stack: LocalStack, trap: socket.socket, caplog: pytest.LogCaptureFixture, timestamp: str) -> None:
    since = stack.slack.mark()
    trap_url = f"http://127.0.0.1:{trap.getsockname()[1]}/hook"
    body = _command_body(stack, f"member {CARD} {DEMO_ADA_ID}", response_url=trap_url)
    headers = {**_signed(stack, body), "X-Slack-Request-Timestamp": timestamp}
    response = _post(stack, body, headers)
    assert response.status_code == 401
    assert _nobody_called(trap)
    _nothing_ran(stack, since)
    _no_traceback(caplog)


@pytest.mark.parametrize("signature", ["", "v0=", "v0=zz", "v1=" + "0" * 64, "v0=" + "A" * 64, "v0=" + "0" * 65])
def test_a_malformed_signature_header_gets_401(stack: LocalStack, trap: socket.socket,
                                               caplog: pytest.LogCaptureFixture, signature: str) -> None:
    since = stack.slack.mark()
    body = _command_body(stack, "cards", response_url=f"http://127.0.0.1:{trap.getsockname()[1]}/hook")
    response = _post(stack, body, {**_signed(stack, body), "X-Slack-Signature": signature})
    assert response.status_code == 401
    assert _nobody_called(trap)
    _nothing_ran(stack, since)
    _no_traceback(caplog)


def test_a_signed_body_that_is_not_utf8_gets_400(stack: LocalStack, caplog: pytest.LogCaptureFixture) -> None:
    since = stack.slack.mark()
    body = _command_body(stack, "cards") + b"&text2=\xff\xfe"
    response = _post(stack, body, _signed(stack, body))
    assert response.status_code == 400
    _nothing_ran(stack, since)
    _no_traceback(caplog)


def test_a_signed_form_body_sent_as_json_gets_400(stack: LocalStack, caplog: pytest.LogCaptureFixture) -> None:
    since = stack.slack.mark()
    body = _command_body(stack, "cards")
    response = _post(stack, body, _signed(stack, body), content_type="application/json")
    assert response.status_code == 400
    _nothing_ran(stack, since)
    _no_traceback(caplog)


def test_a_signed_payload_that_is_not_json_gets_400(stack: LocalStack, caplog: pytest.LogCaptureFixture) -> None:
    since = stack.slack.mark()
    body = urlencode({"payload": "{not json"}).encode()
    response = _post(stack, body, _signed(stack, body))
    assert response.status_code == 400
    _nothing_ran(stack, since)
    _no_traceback(caplog)


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", ""])
def test_a_content_type_slack_never_sends_gets_400(stack: LocalStack, content_type: str) -> None:
    since = stack.slack.mark()
    body = _command_body(stack, "cards")
    response = _post(stack, body, _signed(stack, body), content_type=content_type)
    assert response.status_code == 400
    _nothing_ran(stack, since)


def test_a_signed_command_from_another_workspace_is_refused(stack: LocalStack) -> None:
    since = stack.slack.mark()
    body = _command_body(stack, f"member {CARD} {DEMO_ADA_ID}", team_id="T0ELSEWHERE")
    response = _post(stack, body, _signed(stack, body))
    assert response.status_code == 403
    _nothing_ran(stack, since)


def test_a_signed_command_from_another_enterprise_is_refused(stack: LocalStack) -> None:
    since = stack.slack.mark()
    body = _command_body(stack, f"member {CARD} {DEMO_ADA_ID}") + b"&enterprise_id=E0ELSEWHERE"
    response = _post(stack, body, _signed(stack, body))
    assert response.status_code == 403
    _nothing_ran(stack, since)


# -- replays and retries ---------------------------------------------------------------------------------------------


def test_a_replayed_command_is_answered_200_without_running_again(stack: LocalStack) -> None:
    body = _command_body(stack, f"stamp {CARD} {DEMO_ADA_ID}", user=OPERATOR)
    headers = _signed(stack, body)
    assert _post(stack, body, headers).status_code == 200
    stack.slack.wait_for_reply(OPERATOR)
    stack.services.worker.shutdown(wait=True)
    stamps = len(stack.sandbox.find_requests("POST", "/stamps"))
    assert stamps == 1
    since = stack.slack.mark()

    replay = _post(stack, body, headers)

    assert (replay.status_code, replay.text) == (200, "")
    assert len(stack.sandbox.find_requests("POST", "/stamps")) == stamps
    assert stack.slack.calls(since=since) == []


def test_the_same_command_signed_again_later_runs_again(stack: LocalStack) -> None:
    body = _command_body(stack, "help")
    assert _post(stack, body, _signed(stack, body, int(time.time()) - 5)).text != ""
    assert _post(stack, body, _signed(stack, body)).text != ""


def test_slacks_retry_of_an_event_already_delivered_does_not_run_again(stack: LocalStack) -> None:
    envelope = {
        "team_id": stack.slack.config.team_id, "api_app_id": stack.slack.config.app_id, "type": "event_callback",
        "event_id": "Ev0RETRIED", "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": VIEWER, "channel": "D0VIEWER", "tab": "home"},
    }
    body = json.dumps(envelope).encode()
    assert _post(stack, body, _signed(stack, body), "application/json").status_code == 200
    stack.slack.wait_for_call("views.publish")
    stack.services.worker.shutdown(wait=True)
    since = stack.slack.mark()

    retry = _post(stack, body, {**_signed(stack, body, int(time.time()) + 1), "X-Slack-Retry-Num": "1",
                                "X-Slack-Retry-Reason": "http_timeout"}, "application/json")

    assert retry.status_code == 200
    assert stack.slack.calls(since=since) == []
