"""Credentials, unknown paths, malformed bodies, request recording, reset and seeding."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_GRACE_ID, SandboxServer, SandboxState
from tests.sandbox.conftest import API_KEY, API_SECRET, STAMP_CARD, nested_error

UNAUTHORIZED = {"status": {"status": "failed", "errors": {
    "error_code": 1000, "error_message": "HTTP/1.0 401 Unauthorized. Client ID or Secret not correct.",
}}}


@pytest.mark.parametrize("headers", [
    {},
    {"x-api-key": API_KEY},
    {"x-api-key": API_KEY, "x-api-secret": "wrong"},
    {"x-api-key": "wrong", "x-api-secret": API_SECRET},
])
def test_missing_or_wrong_credentials_get_401_and_change_nothing(
    sandbox: SandboxServer, headers: dict[str, str],
) -> None:
    response = httpx.post(f"{sandbox.base_url}{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps", json={"amount": 1},
                          headers=headers)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 9


def test_an_unknown_path_is_not_found(api: httpx.Client) -> None:
    response = api.get("/loyalty/coupons")

    assert response.status_code == 404
    assert nested_error(response)["error_message"]


def test_a_known_path_with_the_wrong_method_is_refused(api: httpx.Client) -> None:
    assert api.delete("/loyalty/loyalty-cards").status_code == 405


def test_a_malformed_json_body_is_refused_with_the_envelope(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps", content=b'{"amount": 1',
                        headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert nested_error(response)["error_code"] == 300
    assert sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 9


def test_a_chunked_body_is_read(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps", content=iter([b'{"amount"', b": 2}"]),
                        headers={"Content-Type": "application/json"})

    assert response.status_code == 200
    assert response.json()["stamps"] == 11


def test_requests_are_recorded_with_method_path_and_body(api: httpx.Client, sandbox: SandboxServer) -> None:
    api.post(f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps", json={"amount": 3})
    api.get(f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}")

    [stamp] = sandbox.find_requests("POST", "/stamps")
    assert stamp.method == "POST"
    assert stamp.path == f"/v4{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps"
    assert stamp.body == {"amount": 3}
    assert stamp.time > 0
    assert [request.method for request in sandbox.requests] == ["POST", "GET"]


def test_reset_restores_the_seeded_state_and_forgets_requests_and_faults(
    api: httpx.Client, sandbox: SandboxServer,
) -> None:
    api.delete(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}")
    api.post(f"{STAMP_CARD}/push-notifications", json={"message": "hello"})
    sandbox.faults.fail(503, times=None)

    sandbox.reset()

    assert sandbox.requests == []
    assert sandbox.state.pushes == []
    assert api.get(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}").status_code == 200


def test_the_same_seed_gives_the_same_members() -> None:
    first, second, other = SandboxState(7), SandboxState(7), SandboxState(8)

    assert first.to_dict()["members"] == second.to_dict()["members"]
    assert first.to_dict()["members"] != other.to_dict()["members"]
    assert other.members[DEMO_ADA_ID]["email"] == "ada@example.com"


def test_the_demo_data_has_voided_members_and_used_and_expired_rewards() -> None:
    state = SandboxState(1)
    members = list(state.members.values())
    rewards = [reward for member in members for reward in member.get("rewards", [])]

    assert len(members) >= 300
    assert any(member["voided_at"] for member in members)
    assert any(reward["used_at"] for reward in rewards)
    assert any(not reward["used_at"] for reward in rewards)
    assert any(member.get("custom_1") for member in members)
