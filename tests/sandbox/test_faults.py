"""Fault injection: latency, error answers, and connections closed without an answer."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import DEMO_GRACE_ID, SandboxServer
from tests.sandbox.conftest import STAMP_CARD, nested_error

STAMPS = f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps"


def test_latency_makes_matching_requests_outlast_a_short_timeout(api: httpx.Client, sandbox: SandboxServer) -> None:
    rule = sandbox.faults.latency(5.0, path="/stats")

    with pytest.raises(httpx.ReadTimeout):
        api.get(f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}", timeout=0.5)
    assert api.get("/loyalty/loyalty-cards").status_code == 200
    assert rule.hits == 1


def test_fail_answers_the_status_n_times_then_the_request_succeeds(
    api: httpx.Client, sandbox: SandboxServer,
) -> None:
    sandbox.faults.fail(503, times=2, path="/stamps")

    statuses = [api.post(STAMPS, json={"amount": 1}).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 10
    assert len(sandbox.find_requests("POST", "/stamps")) == 3


def test_fail_sends_a_default_envelope_and_the_given_headers(api: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.faults.fail(429, headers={"Retry-After": "2"})

    response = api.get("/loyalty/loyalty-cards")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert nested_error(response)["error_code"] == 429


def test_fail_can_answer_garbage_like_a_proxy(api: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.faults.fail(502, body="<html><body>Bad gateway</body></html>", method="GET")

    response = api.get("/loyalty/loyalty-cards")

    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>")


def test_fail_matches_only_its_method_and_path(api: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.faults.fail(500, method="POST", path="/push-notifications")

    assert api.get("/loyalty/loyalty-cards").status_code == 200
    assert api.post(STAMPS, json={"amount": 1}).status_code == 200
    assert api.post(f"{STAMP_CARD}/push-notifications", json={"message": "x"}).status_code == 500


def test_drop_after_apply_changes_state_but_gives_no_answer(api: httpx.Client, sandbox: SandboxServer) -> None:
    rule = sandbox.faults.drop(path="/stamps", after_apply=True)

    with pytest.raises(httpx.RemoteProtocolError):
        api.post(STAMPS, json={"amount": 1})

    assert rule.hits == 1
    assert sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 10
    assert len(sandbox.find_requests("POST", "/stamps")) == 1
    assert api.get(f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}").json()["stamps"] == 10


def test_drop_before_apply_changes_nothing(api: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.faults.drop(path="/stamps", after_apply=False)

    with pytest.raises(httpx.RemoteProtocolError):
        api.post(STAMPS, json={"amount": 1})

    assert sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 9


def test_drop_with_hang_looks_like_a_read_timeout(api: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.faults.drop(path="/push-notifications", hang=5.0)

    with pytest.raises(httpx.ReadTimeout):
        api.post(f"{STAMP_CARD}/push-notifications", json={"message": "hello"}, timeout=0.5)

    assert len(sandbox.state.pushes) == 1


def test_clear_removes_every_fault(api: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.faults.fail(503, times=None)
    sandbox.faults.latency(5.0)

    sandbox.faults.clear()

    assert sandbox.faults.rules == []
    assert api.get("/loyalty/loyalty-cards").status_code == 200
