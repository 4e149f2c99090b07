"""Card names typed without quotes, near misses with a button that runs the command, over signed requests."""

from __future__ import annotations

from bot.sandbox import DEMO_ADA_ID, DEMO_GRACE_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply


def test_an_unquoted_card_name_stamps_the_member_named_after_it(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, "stamp Coffee Club grace@example.com", OPERATOR))
    assert "now *10 stamps*" in shown
    assert stack.sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 10


def test_members_of_a_lower_case_card_name_are_listed(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, "members coffee club", VIEWER))
    assert "Ada" in shown
    assert "can't find" not in shown


def test_a_misspelt_card_is_suggested_and_its_button_runs_the_command(stack: LocalStack) -> None:
    reply = private_reply(stack, "stamp Cofee Club ada@example.com", OPERATOR)
    assert "Did you mean *Coffee Club*?" in render_message(reply)
    assert stack.sandbox.find_requests("POST", "/stamps") == []  # nothing happens until the click
    assert stack.services.store.audit.latest() == []
    stack.driver.click(reply, text="Use this card", user=OPERATOR)
    shown = render_message(stack.driver.wait_reply(OPERATOR))
    assert "now *38 stamps*" in shown
    assert stack.sandbox.state.members[DEMO_ADA_ID]["stamps"] == 38


def test_the_suggestion_button_checks_the_role_of_whoever_clicks(stack: LocalStack) -> None:
    reply = private_reply(stack, "stamp Cofee Club ada@example.com", OPERATOR)
    stack.driver.click(reply, text="Use this card", user=VIEWER)
    stack.driver.wait_reply(VIEWER)
    assert stack.sandbox.find_requests("POST", "/stamps") == []


def test_an_unknown_card_is_reported_before_a_bad_amount(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, "stamp Tea Room ada@example.com ten", OPERATOR))
    assert "can't find a loyalty card `Tea`" in shown
    assert "whole number" not in shown


def test_a_bad_amount_after_a_named_card_shows_the_stamp_usage(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, "stamp Coffee Club ada@example.com ten", OPERATOR))
    assert "whole number" in shown
    assert "/loyalty stamp <card> <member> [amount]" in shown
    assert stack.sandbox.find_requests("POST", "/stamps") == []


def test_an_option_after_the_message_of_a_named_card_is_refused_and_nothing_is_asked(stack: LocalStack) -> None:
    shown = render_message(private_reply(stack, "push Coffee Club Hi --to ada@example.com", OPERATOR))
    assert "came after the message" in shown
    assert "/loyalty push <card>" in shown
    assert stack.services.store.audit.latest() == []
    assert stack.slack.calls("chat.postMessage") == []
