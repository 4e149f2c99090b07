"""The ack is the listener's answer: a later failure keeps it, and a modal's opening does not hold it up."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER


def test_a_failure_after_the_ack_keeps_the_ack_and_tells_the_user_in_words(
        stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("the worker pool is gone")

    monkeypatch.setattr(stack.services, "defer", broken)
    ack = stack.driver.command(f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}", user=VIEWER)
    assert ack.status == 200  # not a 500: Slack would show its own error on top of ours
    shown = render_message(stack.driver.wait_reply(VIEWER))
    assert ":warning:" in shown
    assert "the worker pool is gone" not in shown
    assert "Traceback" not in shown


def test_a_modal_that_cannot_open_is_reported_in_the_conversation(stack: LocalStack) -> None:
    stack.slack.fail("views.open", status=500)
    ack = stack.driver.command(f"add {DEMO_STAMP_CARD_ID}", user=OPERATOR)
    assert ack.status == 200
    shown = render_message(stack.driver.wait_reply(OPERATOR))
    assert ":warning:" in shown
    assert stack.slack.modal(OPERATOR) is None
