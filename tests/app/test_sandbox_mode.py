"""Sandbox mode: every reply, modal and channel message says it comes from demo data; otherwise none does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from bot.views.sandbox import SANDBOX_TEXT
from localstack.slack import Ephemeral, Message, render_message
from localstack.stack import APPROVALS, LocalStack
from tests.app.helpers import OPERATOR, VIEWER

CARD = DEMO_STAMP_CARD_ID


@pytest.fixture
def sandbox_stack(tmp_path) -> Iterator[LocalStack]:
    with LocalStack(workdir=tmp_path, loyalty_sandbox=True) as running:
        yield running
    assert not running.slack.violations, f"Slack would have refused: {running.slack.violations}"


def _marked(blocks: list[dict[str, Any]]) -> bool:
    return bool(blocks) and blocks[-1]["type"] == "context" and SANDBOX_TEXT in str(blocks[-1])


def _reply(stack: LocalStack, text: str, user: str) -> Message | Ephemeral:
    assert stack.driver.command(text, user=user).ok
    return stack.driver.wait_reply(user)


def test_answers_sent_after_the_ack_carry_the_sandbox_line(sandbox_stack: LocalStack) -> None:
    member = _reply(sandbox_stack, f"member {CARD} {DEMO_ADA_ID}", VIEWER)
    assert "Ada Lovelace" in render_message(member)
    assert _marked(member.blocks)
    stamped = _reply(sandbox_stack, f"stamp {CARD} {DEMO_ADA_ID}", OPERATOR)
    assert "Added 1 stamp" in render_message(stamped)
    assert _marked(stamped.blocks)


def test_answers_in_the_ack_and_refusals_carry_the_sandbox_line(sandbox_stack: LocalStack) -> None:
    assert _marked(_reply(sandbox_stack, "help", VIEWER).blocks)
    refused = _reply(sandbox_stack, f"stamp {CARD} {DEMO_ADA_ID}", VIEWER)  # a viewer may not stamp
    assert _marked(refused.blocks)


def test_modals_and_channel_messages_carry_the_sandbox_line(sandbox_stack: LocalStack) -> None:
    assert sandbox_stack.driver.shortcut(ids.LOOKUP_SHORTCUT, user=VIEWER).ok
    assert _marked(sandbox_stack.slack.wait_for_modal(VIEWER).blocks)
    _reply(sandbox_stack, f"push {CARD} Double stamps today!", OPERATOR)
    request = sandbox_stack.slack.wait_for(lambda: next(iter(sandbox_stack.slack.messages(APPROVALS)), None))
    assert _marked(request.blocks)


def test_without_sandbox_mode_no_reply_mentions_it(stack: LocalStack) -> None:
    for text, user in ((f"member {CARD} {DEMO_ADA_ID}", VIEWER), ("help", VIEWER)):
        reply = _reply(stack, text, user)
        assert "SANDBOX" not in render_message(reply)
