"""Stamps earn rewards, rewards are used once, void hides, delete removes."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from bot.sandbox import (
    DEMO_ADA_AVAILABLE_REWARD_ID,
    DEMO_ADA_EXPIRED_REWARD_ID,
    DEMO_ADA_ID,
    DEMO_ADA_USED_REWARD_ID,
    DEMO_ALAN_ID,
    DEMO_GRACE_ID,
    DEMO_KATHERINE_ID,
    REWARD_NAME,
    SandboxServer,
)
from tests.sandbox.conftest import MEMBERSHIP_CARD, STAMP_CARD, list_members, listed_error, nested_error

GRACE = f"{STAMP_CARD}/stats/{DEMO_GRACE_ID}"
ADA = f"{STAMP_CARD}/stats/{DEMO_ADA_ID}"


def test_a_stamp_that_reaches_a_multiple_of_ten_earns_a_reward(api: httpx.Client) -> None:
    response = api.post(f"{GRACE}/stamps", json={"amount": 1})

    assert response.status_code == 200
    member = response.json()
    assert member["stamps"] == 10
    [reward] = member["rewards"]
    assert reward["name"] == REWARD_NAME
    assert reward["used_at"] is None
    assert datetime.fromisoformat(reward["expired_at"]) > datetime.now()


def test_stamps_crossing_two_multiples_earn_two_rewards(api: httpx.Client) -> None:
    member = api.post(f"{GRACE}/stamps", json={"amount": 12}).json()

    assert member["stamps"] == 21
    assert len(member["rewards"]) == 2


def test_stamps_below_the_next_multiple_earn_nothing(api: httpx.Client) -> None:
    member = api.post(f"{ADA}/stamps", json={"amount": 2}).json()

    assert member["stamps"] == 39
    assert len(member["rewards"]) == 3


@pytest.mark.parametrize(("body", "code"), [
    ({}, 200),
    ({"amount": 0}, 302),
    ({"amount": "three"}, 301),
    ({"amount": 1.5}, 301),
    ({"amount": True}, 301),
])
def test_a_bad_stamp_amount_is_refused_naming_amount(api: httpx.Client, body: dict, code: int) -> None:
    response = api.post(f"{GRACE}/stamps", json=body)

    assert response.status_code == 422
    errors = listed_error(response)
    assert errors["error_code"] == [code]
    assert "amount" in errors["error_message"]


def test_a_membership_card_does_not_take_stamps(api: httpx.Client) -> None:
    response = api.post(f"{MEMBERSHIP_CARD}/stats/{DEMO_KATHERINE_ID}/stamps", json={"amount": 1})

    assert response.status_code == 422
    assert nested_error(response)["error_code"] == 302


def test_using_an_available_reward_sets_used_at(api: httpx.Client) -> None:
    response = api.put(f"{ADA}/rewards", json={"reward_ids": [DEMO_ADA_AVAILABLE_REWARD_ID]})

    assert response.status_code == 200
    rewards = {reward["id"]: reward for reward in response.json()["rewards"]}
    assert rewards[DEMO_ADA_AVAILABLE_REWARD_ID]["used_at"] is not None


@pytest.mark.parametrize("reward_id", [DEMO_ADA_USED_REWARD_ID, DEMO_ADA_EXPIRED_REWARD_ID, 999999])
def test_a_used_expired_or_foreign_reward_cannot_be_used(api: httpx.Client, reward_id: int) -> None:
    response = api.put(f"{ADA}/rewards", json={"reward_ids": [reward_id]})

    assert response.status_code == 422
    errors = nested_error(response)
    assert errors["error_code"] == 302
    assert "reward_ids" in errors["error_message"]


def test_using_rewards_is_all_or_nothing(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.put(f"{ADA}/rewards", json={"reward_ids": [DEMO_ADA_AVAILABLE_REWARD_ID, DEMO_ADA_USED_REWARD_ID]})

    assert response.status_code == 422
    rewards = {reward["id"]: reward for reward in sandbox.state.members[DEMO_ADA_ID]["rewards"]}
    assert rewards[DEMO_ADA_AVAILABLE_REWARD_ID]["used_at"] is None


def test_a_reward_cannot_be_used_twice(api: httpx.Client) -> None:
    body = {"reward_ids": [DEMO_ADA_AVAILABLE_REWARD_ID]}

    assert api.put(f"{ADA}/rewards", json=body).status_code == 200
    assert api.put(f"{ADA}/rewards", json=body).status_code == 422


def test_a_reward_expires_with_the_clock() -> None:
    moments = [datetime(2025, 3, 1, 12, 0, 0)]
    with SandboxServer(api_key="k", api_secret="s", clock=lambda: moments[0]) as server:
        headers = {"x-api-key": "k", "x-api-secret": "s"}
        with httpx.Client(base_url=server.base_url, headers=headers) as api:
            [reward] = api.post(f"{GRACE}/stamps", json={"amount": 1}).json()["rewards"]
            moments[0] = datetime.fromisoformat(reward["expired_at"]) + timedelta(seconds=1)

            response = api.put(f"{GRACE}/rewards", json={"reward_ids": [reward["id"]]})

    assert response.status_code == 422
    assert "expired" in nested_error(response)["error_message"]


def test_reward_ids_are_required(api: httpx.Client) -> None:
    response = api.put(f"{ADA}/rewards", json={})

    assert response.status_code == 422
    assert listed_error(response)["error_code"] == [200]


def test_void_sets_voided_at_and_hides_the_member_from_the_list(api: httpx.Client) -> None:
    response = api.put(f"{ADA}/void")

    assert response.status_code == 200
    assert response.json()["voided_at"] is not None
    assert DEMO_ADA_ID not in [m["id"] for m in list_members(api, filter={"keyword": "ada@example.com"}).json()]
    assert DEMO_ADA_ID in [
        m["id"] for m in list_members(api, filter={"keyword": "ada@example.com"}, include_voided=True).json()
    ]
    assert api.get(ADA).json()["voided_at"] is not None


def test_a_voided_card_takes_no_stamps(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/stats/{DEMO_ALAN_ID}/stamps", json={"amount": 1})

    assert response.status_code == 422


def test_delete_removes_the_member(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.delete(ADA)

    assert response.status_code in (200, 204)
    if response.status_code == 200:
        assert response.json() == {}
    assert DEMO_ADA_ID not in sandbox.state.members
    assert api.get(ADA).status_code == 404
    assert api.delete(ADA).status_code == 404
