"""Every spelling of a phone finds the same member, in one search, over signed requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import render_message, render_view
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply
from tests.app.test_import import preview, report
from tests.app.test_members import field, open_add_form, wait_modal_saying

CARD = DEMO_STAMP_CARD_ID


def searches(stack: LocalStack) -> int:
    return sum(1 for request in stack.sandbox.requests if isinstance(request.body, dict) and "filter" in request.body)


@pytest.mark.parametrize("typed", ["+32 2 555 01 01", "003225550101", "+3225550101"])
def test_ada_is_found_by_any_spelling_of_her_phone_in_one_search(stack: LocalStack, typed: str) -> None:
    before = searches(stack)
    shown = render_message(private_reply(stack, f'member {CARD} "{typed}"', VIEWER))
    assert "Ada Lovelace" in shown
    assert searches(stack) - before == 1


def test_a_member_stored_with_spaces_is_found_by_its_e164_spelling(stack: LocalStack) -> None:
    with stack.sandbox.state.lock:
        stack.sandbox.state.members[DEMO_ADA_ID]["phone"] = "+32 470 12 34 56"
    shown = render_message(private_reply(stack, f'member {CARD} "+32 470 12 34 56"', VIEWER))
    assert "Ada Lovelace" in shown


def test_with_a_phone_region_national_numbers_find_store_and_refuse_as_that_country_writes_them(
        tmp_path: Path) -> None:
    with LocalStack(workdir=tmp_path, loyalty_phone_region="BE") as stack:
        # A lookup: Ada's +3225550101 written as Belgians write it.
        assert "Ada Lovelace" in render_message(private_reply(stack, f'member {CARD} "02 555 01 01"', VIEWER))
        # The add form: a number that cannot exist in Belgium is refused on its field, nothing sent ...
        form = open_add_form(stack)
        ack = stack.driver.submit(form, {field("first_name"): "Ann", field("phone"): "0470 12"}, user=OPERATOR)
        assert "cannot exist in BE" in ack.errors[field("phone")]
        # ... and, corrected, a national mobile number is stored as E.164.
        stack.driver.submit(form, {field("first_name"): "Ann", field("phone"): "0470 12 34 56"}, user=OPERATOR)
        wait_modal_saying(stack, "Created")
        with stack.sandbox.state.lock:
            assert [m["phone"] for m in stack.sandbox.state.members.values() if m.get("first_name") == "Ann"] == [
                "+32470123456"]
        # An import: national numbers stored as E.164, Ada's number in its national spelling set aside as hers.
        view = preview(stack, {ids.IMPORT_TEXT_BLOCK: "First name,Phone\nMember1,0471 11 22 33\n"
                                                       "Member2,02 555 01 01\nMember3,0471 11\n"})
        shown = render_view(view)
        assert "same as member 1 (Ada Lovelace)" in shown
        assert "cannot exist in BE" in shown
        stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
        report(stack)
        with stack.sandbox.state.lock:
            assert [m["phone"] for m in stack.sandbox.state.members.values()
                    if str(m.get("first_name", "")).startswith("Member")] == ["+32471112233"]
