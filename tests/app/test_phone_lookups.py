"""Every spelling of a phone finds the same member, in one search, over signed requests."""

from __future__ import annotations

import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import VIEWER, private_reply

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
