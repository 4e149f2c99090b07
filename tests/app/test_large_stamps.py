"""Stamping more than LOYALTY_STAMP_CONFIRM_OVER at once waits for a click; rewards earned are counted."""

from __future__ import annotations

from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def stamp_requests(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("POST", "/stamps")


def test_twenty_stamps_ask_first_and_are_added_on_the_click(stack: LocalStack) -> None:
    reply = private_reply(stack, f"stamp {CARD} grace@example.com 21", OPERATOR)
    assert "Add *21 stamps*" in render_message(reply)
    assert stamp_requests(stack) == []
    assert stack.services.store.audit.latest() == []
    stack.driver.click(reply, text="Add stamps", user=OPERATOR)
    shown = render_message(stack.driver.wait_reply(OPERATOR))
    assert "now *30 stamps*" in shown
    assert "Free coffee* ×3" in shown
    assert [request.body for request in stamp_requests(stack)] == [{"amount": 21}]
    assert stack.sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 30


def test_cancelling_a_large_stamp_sends_nothing(stack: LocalStack) -> None:
    reply = private_reply(stack, f"stamp {CARD} grace@example.com 50", OPERATOR)
    stack.driver.click(reply, text="Cancel", user=OPERATOR)
    stack.driver.wait_reply(OPERATOR)
    assert stamp_requests(stack) == []


def test_up_to_the_threshold_stamps_at_once(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, f"stamp {CARD} grace@example.com 10", OPERATOR))
    assert "now *19 stamps*" in shown
    assert len(stamp_requests(stack)) == 1


def test_a_viewer_cannot_ask_for_a_large_stamp(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, f"stamp {CARD} grace@example.com 50", VIEWER))
    assert "Add stamps" not in shown
    assert stamp_requests(stack) == []
