"""A member named by their name: one match shows them, several give a pick-list, none says so."""

from __future__ import annotations

import copy

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import render_message, render_view
from localstack.stack import LocalStack
from tests.app.helpers import VIEWER, private_reply


def searches(stack: LocalStack) -> int:
    return sum(1 for request in stack.sandbox.requests if isinstance(request.body, dict) and "filter" in request.body)


def twin_of_ada(stack: LocalStack) -> None:
    with stack.sandbox.state.lock:
        twin = copy.deepcopy(stack.sandbox.state.members[DEMO_ADA_ID])
        twin.update(id=9100, code="ada9100twin", email="ada.twin@example.com", phone=None)
        stack.sandbox.state.members[9100] = twin


def test_a_full_name_typed_after_a_named_card_shows_the_member_in_one_search(stack: LocalStack) -> None:
    before = searches(stack)
    shown = render_message(private_reply(stack, "member Coffee Club Ada Lovelace", VIEWER))
    assert "ada@example.com" in shown
    assert searches(stack) - before == 1


def test_a_quoted_name_works_as_well(stack: LocalStack) -> None:
    assert "ada@example.com" in render_message(private_reply(stack, 'member "Coffee Club" "ada lovelace"', VIEWER))


def test_a_shared_name_gives_a_pick_list(stack: LocalStack) -> None:
    twin_of_ada(stack)
    shown = render_message(private_reply(stack, f"member {DEMO_STAMP_CARD_ID} Ada Lovelace", VIEWER))
    assert "2 members" in shown
    assert "Pick one" in shown


def test_a_name_nobody_has_says_so(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, f"member {DEMO_STAMP_CARD_ID} Nobody Atall", VIEWER))
    assert "No member" in shown
    assert "name `Nobody Atall`" in shown


def test_the_lookup_shortcut_finds_a_member_by_name(stack: LocalStack) -> None:
    stack.driver.shortcut(ids.LOOKUP_SHORTCUT, user=VIEWER)
    modal = stack.slack.wait_for(lambda: ((m := stack.slack.modal(VIEWER)) and m.callback_id == ids.LOOKUP_VIEW
                                 and m) or None)
    stack.driver.submit(modal, {ids.LOOKUP_CARD_BLOCK: str(DEMO_STAMP_CARD_ID),
                                ids.LOOKUP_QUERY_BLOCK: "Ada Lovelace"}, user=VIEWER)
    answered = stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(VIEWER)) and "ada@example.com" in render_view(m) and m) or None)
    assert answered is not None
