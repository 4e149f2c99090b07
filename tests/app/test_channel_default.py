"""`/loyalty use`: a channel's default card makes the card optional there, and only there."""

from __future__ import annotations

import threading

from pytest_mock import MockerFixture

from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply


def ask(stack: LocalStack, text: str, user: str = OPERATOR, channel: str | None = None) -> str:
    if channel is None:
        return render_message(private_reply(stack, text, user))
    assert stack.driver.command(text, user=user, channel=channel).ok
    return render_message(stack.driver.wait_reply(user))


def test_use_sets_the_default_and_stamp_may_leave_the_card_out(stack: LocalStack) -> None:
    assert "default card is now *Coffee Club*" in ask(stack, "use Coffee Club")
    assert "now *10 stamps*" in ask(stack, "stamp grace@example.com")
    assert stack.sandbox.state.members[DEMO_GRACE_ID]["stamps"] == 10
    assert "now *11 stamps*" in ask(stack, f"stamp {DEMO_GRACE_ID}")
    assert "Coffee Club" in ask(stack, "use")
    assert "it is *Coffee Club*" in ask(stack, "help")


def test_an_explicit_card_still_wins_over_the_default(stack: LocalStack) -> None:
    ask(stack, "use VIP Membership")
    assert "now *10 stamps*" in ask(stack, "stamp Coffee Club grace@example.com")


def test_a_card_id_wins_too_and_the_ack_never_reads_the_default(stack: LocalStack, mocker: MockerFixture) -> None:
    ask(stack, "use VIP Membership")
    defaults = stack.services.store.defaults
    read_in: list[str] = []
    real_get = defaults.get

    def get(channel_id: str) -> tuple[int, str] | None:
        read_in.append(threading.current_thread().name)
        return real_get(channel_id)

    mocker.patch.object(defaults, "get", side_effect=get)
    assert "now *10 stamps*" in ask(stack, f"stamp {DEMO_STAMP_CARD_ID} grace@example.com")
    assert "now *11 stamps*" in ask(stack, f"stamp {DEMO_STAMP_CARD_ID} {DEMO_GRACE_ID}")
    # The default decides only in the worker: the ack of a command that parses touches no database.
    assert len(read_in) == 2, "read once a command"
    assert all(name.startswith(("work", "urgent")) for name in read_in), read_in


def test_the_default_belongs_to_its_channel_alone(stack: LocalStack) -> None:
    ask(stack, "use Coffee Club")
    shown = ask(stack, "stamp grace@example.com", channel="C0OTHER")
    assert "can't find a loyalty card" in shown
    assert stack.sandbox.find_requests("POST", "/stamps") == []


def test_use_clear_removes_the_default(stack: LocalStack) -> None:
    ask(stack, f"use {DEMO_STAMP_CARD_ID}")
    assert "no default card any more" in ask(stack, "use --clear")
    assert "can't find a loyalty card" in ask(stack, "stamp grace@example.com")
    assert "nothing to clear" in ask(stack, "use --clear")
    assert "no default card" in ask(stack, "use")


def test_viewers_cannot_set_a_default(stack: LocalStack) -> None:
    assert "Not allowed" in ask(stack, "use Coffee Club", user=VIEWER)
    assert stack.services.store.defaults.get("C0GENERAL") is None


def test_home_lists_the_channels_with_a_default_card(stack: LocalStack) -> None:
    ask(stack, "use Coffee Club")
    stack.driver.app_home_opened(user=VIEWER)
    home = stack.slack.wait_for_home(VIEWER)
    assert "Default cards" in str(home.blocks)
    assert "C0GENERAL" in str(home.blocks)
