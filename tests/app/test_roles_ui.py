"""What each role sees: only the buttons they can use, a refusal titled "Not allowed", help per command."""

from __future__ import annotations

from bot.sandbox import DEMO_ADA_ID, DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import render_message, render_view
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN, OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def labels(stack: LocalStack, user: str) -> str:
    return render_message(private_reply(stack, f"member {CARD} {DEMO_ADA_ID}", user))


def test_each_role_sees_only_the_member_buttons_it_can_use(stack: LocalStack) -> None:
    viewer, operator, admin = labels(stack, VIEWER), labels(stack, OPERATOR), labels(stack, ADMIN)
    for label in ("Add stamp", "Redeem", "Edit", "Void", "Delete"):
        assert label not in viewer
        assert label in admin
    for label in ("Add stamp", "Redeem", "Edit"):
        assert label in operator
    assert "Void" not in operator
    assert "Delete" not in operator


def test_a_refused_command_says_not_allowed_and_which_role_is_needed(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, f"stamp {CARD} {DEMO_GRACE_ID}", VIEWER))
    assert "Not allowed" in shown
    assert "operator" in shown
    assert "LOYALTY_OPERATORS" in shown


def test_a_refused_modal_is_titled_not_allowed(stack: LocalStack) -> None:
    stack.driver.command(f"redeem {CARD} {DEMO_ADA_ID}", user=VIEWER)
    modal = stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(VIEWER)) and "operator" in render_view(m) and m) or None)
    assert "Not allowed" in render_view(modal)


def test_help_for_one_command_shows_its_usage_examples_and_role(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, "help stamp", VIEWER))
    assert "/loyalty stamp <card> <member> [amount]" in shown
    assert "Who:* operators" in shown
    assert "/loyalty void" not in shown


def test_a_single_reward_is_ticked_in_the_redeem_form(stack: LocalStack) -> None:
    stack.driver.command(f"redeem {CARD} {DEMO_ADA_ID}", user=OPERATOR)
    modal = stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(OPERATOR)) and m.callback_id == ids.REDEEM_VIEW and m) or None)
    [block] = [b for b in modal.blocks if b.get("block_id") == ids.REDEEM_BLOCK]
    assert len(block["element"]["initial_options"]) == 1
