"""Cards: listing and copying."""

from __future__ import annotations

import httpx

from bot.sandbox import DEMO_MEMBERSHIP_CARD_ID, DEMO_STAMP_CARD_CODE, DEMO_STAMP_CARD_ID, SandboxServer
from tests.sandbox.conftest import STAMP_CARD, listed_error, nested_error


def test_lists_the_demo_stamp_and_membership_cards(api: httpx.Client) -> None:
    response = api.get("/loyalty/loyalty-cards")

    assert response.status_code == 200
    cards = {card["id"]: card for card in response.json()}
    assert cards[DEMO_STAMP_CARD_ID] == {
        "id": DEMO_STAMP_CARD_ID, "code": DEMO_STAMP_CARD_CODE, "name": "Coffee Club",
        "domain": "loyalty.coupontools.com", "type": "stamp",
    }
    assert cards[DEMO_MEMBERSHIP_CARD_ID]["type"] == "membership"


def test_copy_creates_a_card_with_the_given_name_and_no_members(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/copy", json={"name": "Coffee Club Summer"})

    assert response.status_code == 200
    copy = response.json()
    assert copy["name"] == "Coffee Club Summer"
    assert copy["type"] == "stamp"
    assert copy["id"] not in (DEMO_STAMP_CARD_ID, DEMO_MEMBERSHIP_CARD_ID)
    assert copy["code"] != DEMO_STAMP_CARD_CODE
    assert copy in api.get("/loyalty/loyalty-cards").json()
    assert api.request("GET", f"/loyalty/loyalty-cards/{copy['id']}/stats").json() == []
    assert copy["id"] in sandbox.state.cards


def test_copy_without_a_body_names_the_copy_after_the_original(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/copy")

    assert response.status_code == 200
    assert response.json()["name"] == "Copy of Coffee Club"


def test_copy_accepts_a_name_of_exactly_50_characters(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/copy", json={"name": "x" * 50})

    assert response.status_code == 200


def test_copy_refuses_a_51_character_name_and_creates_nothing(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/copy", json={"name": "x" * 51})

    assert response.status_code == 422
    errors = listed_error(response)
    assert errors["error_code"] == [302]
    assert "name" in errors["error_message"]
    assert len(sandbox.state.cards) == 2


def test_copy_of_an_unknown_card_is_not_found_with_code_505(api: httpx.Client) -> None:
    response = api.post("/loyalty/loyalty-cards/999/copy", json={"name": "Nope"})

    assert response.status_code == 404
    assert nested_error(response)["error_code"] == 505
