"""Members: list with filter, strict match, voided and paging; get; create; bulk; update; validation."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_ALAN_ID, DEMO_KATHERINE_ID, SandboxServer
from tests.sandbox.conftest import MEMBERSHIP_CARD, STAMP_CARD, list_members, listed_error, nested_error


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [member["id"] for member in response.json()]


def test_list_without_a_body_returns_every_non_voided_member_of_the_card(
    api: httpx.Client, sandbox: SandboxServer,
) -> None:
    expected = sorted(
        member["id"] for member in sandbox.state.members.values()
        if member["card_id"] == sandbox.state.members[DEMO_ADA_ID]["card_id"] and member["voided_at"] is None
    )

    assert ids(list_members(api)) == expected
    assert len(expected) > 150


def test_keyword_matches_names_emails_phones_and_codes_case_insensitively(api: httpx.Client) -> None:
    assert DEMO_ADA_ID in ids(list_members(api, filter={"keyword": "LOVELACE"}))
    assert DEMO_ADA_ID in ids(list_members(api, filter={"keyword": "ada@EXAMPLE"}))
    assert DEMO_ADA_ID in ids(list_members(api, filter={"keyword": "5550101"}))
    assert DEMO_ADA_ID in ids(list_members(api, filter={"keyword": "ada1815"}))
    assert ids(list_members(api, filter={"keyword": "no such member anywhere"})) == []


def test_strict_matches_one_whole_field_only(api: httpx.Client) -> None:
    assert ids(list_members(api, filter={"keyword": "Ada@Example.com", "strict": True})) == [DEMO_ADA_ID]
    assert ids(list_members(api, filter={"keyword": "+3225550101", "strict": True})) == [DEMO_ADA_ID]
    assert ids(list_members(api, filter={"keyword": "ada1815lovelace", "strict": True})) == [DEMO_ADA_ID]
    assert ids(list_members(api, filter={"keyword": "ada@example", "strict": True})) == []


def test_voided_members_appear_only_with_include_voided(api: httpx.Client) -> None:
    keyword = {"keyword": "alan@example.com", "strict": True}

    assert ids(list_members(api, filter=keyword)) == []
    assert ids(list_members(api, filter=keyword, include_voided=True)) == [DEMO_ALAN_ID]


def test_pagination_pages_are_1_based_disjoint_and_end_short(api: httpx.Client) -> None:
    everyone = ids(list_members(api))
    pages = []
    page = 1
    while True:
        chunk = ids(list_members(api, pagination={"page": page, "limit": 50}))
        pages.append(chunk)
        if len(chunk) < 50:
            break
        page += 1

    assert [member for chunk in pages for member in chunk] == everyone
    assert len(pages[-1]) < 50
    assert ids(list_members(api, pagination={"page": page + 1, "limit": 50})) == []


@pytest.mark.parametrize("body", [
    {"pagination": {"page": 0, "limit": 10}},
    {"pagination": {"page": 1, "limit": "ten"}},
    {"filter": {"keyword": 5}},
    {"include_voided": "yes"},
])
def test_a_malformed_list_query_is_refused_with_422(api: httpx.Client, body: dict) -> None:
    response = list_members(api, **body)

    assert response.status_code == 422
    assert listed_error(response)["error_code"][0] in (301, 302)


def test_get_returns_one_member_with_stamps_rewards_and_wallet_link(api: httpx.Client) -> None:
    member = api.get(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}").json()

    assert member["email"] == "ada@example.com"
    assert member["stamps"] == 37
    assert len(member["rewards"]) == 3
    assert member["download_url"].startswith("https://")
    assert member["voided_at"] is None
    assert "card_id" not in member


def test_membership_card_members_have_no_stamps_but_custom_fields(api: httpx.Client) -> None:
    member = api.get(f"{MEMBERSHIP_CARD}/stats/{DEMO_KATHERINE_ID}").json()

    assert "stamps" not in member
    assert "rewards" not in member
    assert member["custom_1"] == "Gold"
    assert member["expired_at"] is not None


@pytest.mark.parametrize("path", [
    f"{STAMP_CARD}/stats/999999",
    f"{STAMP_CARD}/stats/abc",
    f"{MEMBERSHIP_CARD}/stats/{DEMO_ADA_ID}",  # a member of another card
])
def test_an_unknown_member_is_not_found(api: httpx.Client, path: str) -> None:
    response = api.get(path)

    assert response.status_code == 404
    assert nested_error(response)["error_message"]


def test_an_unknown_card_is_not_found_with_code_505(api: httpx.Client) -> None:
    response = list_members(api, card="/loyalty/loyalty-cards/123")

    assert response.status_code == 404
    assert nested_error(response)["error_code"] == 505


def test_create_returns_the_new_member_and_stores_it(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/stats", json={
        "first_name": "Margaret", "last_name": "Hamilton", "email": "margaret@example.com", "custom_3": "VIP",
    })

    assert response.status_code == 200
    member = response.json()
    assert member["first_name"] == "Margaret"
    assert member["custom_3"] == "VIP"
    assert member["stamps"] == 0
    assert member["rewards"] == []
    assert member["code"]
    assert member["download_url"].endswith(member["code"])
    assert sandbox.state.members[member["id"]]["email"] == "margaret@example.com"
    assert ids(list_members(api, filter={"keyword": "margaret@example.com", "strict": True})) == [member["id"]]


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"email": "not-an-email"}, "email", 302),
    ({"first_name": 42}, "first_name", 302),
    ({"city": "x" * 101}, "city", 302),
    ({"phone": "call me"}, "phone", 302),
    ({"favourite_colour": "blue"}, "favourite_colour", 302),
])
def test_create_refuses_bad_fields_naming_them(
    api: httpx.Client, sandbox: SandboxServer, body: dict, field: str, code: int,
) -> None:
    before = len(sandbox.state.members)

    response = api.post(f"{STAMP_CARD}/stats", json=body)

    assert response.status_code == 422
    errors = listed_error(response)
    assert field in errors["error_message"]
    assert errors["error_code"] == [code]
    assert len(sandbox.state.members) == before


def test_create_reports_every_bad_field_and_never_echoes_the_value(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/stats", json={"email": "secret-address", "zip": 1000})

    errors = listed_error(response)
    assert len(errors["error_code"]) == 2
    assert "secret-address" not in response.text


def test_a_body_that_is_not_an_object_is_refused(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/stats", json=["first_name"])

    assert response.status_code == 422
    assert listed_error(response)["error_code"] == [300]


def test_bulk_creates_every_row_in_order(api: httpx.Client) -> None:
    rows = [{"first_name": f"Guest{n}", "email": f"guest{n}@example.net"} for n in range(3)]

    response = api.post(f"{STAMP_CARD}/stats/bulk", json=rows)

    assert response.status_code == 200
    created = response.json()
    assert [member["first_name"] for member in created] == ["Guest0", "Guest1", "Guest2"]
    assert len({member["id"] for member in created}) == 3


def test_bulk_with_one_bad_row_creates_nothing_and_names_the_row(api: httpx.Client, sandbox: SandboxServer) -> None:
    before = len(sandbox.state.members)
    rows = [{"first_name": "Fine"}, {"email": "broken"}]

    response = api.post(f"{STAMP_CARD}/stats/bulk", json=rows)

    assert response.status_code == 422
    assert listed_error(response)["error_message_description"] == ["row 2: email: not a valid email address"]
    assert len(sandbox.state.members) == before


def test_update_changes_only_the_given_fields_and_empty_clears(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}", json={"city": "Leuven", "custom_1": ""})

    assert response.status_code == 200
    member = response.json()
    assert member["city"] == "Leuven"
    assert "custom_1" not in member
    assert member["email"] == "ada@example.com"
    assert api.get(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}").json()["city"] == "Leuven"


def test_update_refuses_a_bad_email(api: httpx.Client) -> None:
    response = api.post(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}", json={"email": "ada-at-example"})

    assert response.status_code == 422
    assert "email" in listed_error(response)["error_message"]
    assert api.get(f"{STAMP_CARD}/stats/{DEMO_ADA_ID}").json()["email"] == "ada@example.com"
