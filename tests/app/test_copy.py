"""Copying cards end to end: the name, the reply, the audit row, and who may do it."""

from __future__ import annotations

from bot.sandbox import DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def ask(stack: LocalStack, text: str, user: str = OPERATOR) -> str:
    return render_message(private_reply(stack, text, user))


def copies(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("POST", "/copy")


def test_copy_without_a_name_is_called_copy_of_the_card(stack: LocalStack) -> None:
    stack.services.lookup.cards()  # the list is cached before the copy…
    shown = ask(stack, f"copy {CARD}")
    [new] = [card for card in stack.sandbox.state.cards.values() if card["id"] != CARD and card["type"] == "stamp"]
    assert new["name"] == "Copy of Coffee Club"
    assert [request.body for request in copies(stack)] == [{"name": "Copy of Coffee Club"}]
    assert "Copy of Coffee Club" in shown
    assert str(new["id"]) in shown
    assert new["code"] in shown
    assert "Copy of Coffee Club" in ask(stack, "cards")  # …and forgotten after it
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome, entry.card_id, entry.params) == (
        "card.copy", "ok", CARD, {"new_name": "Copy of Coffee Club"})


def test_copy_takes_a_new_name(stack: LocalStack) -> None:
    shown = ask(stack, f'copy {CARD} "Summer Coffee"')
    assert "Summer Coffee" in shown
    assert [request.body for request in copies(stack)] == [{"name": "Summer Coffee"}]


def test_the_default_name_is_cut_to_fifty_characters(stack: LocalStack) -> None:
    long = "Coffee Club of the Grand Central Station Plaza 01"  # 49 characters
    ask(stack, f'copy {CARD} "{long}"')
    copied = next(card for card in stack.sandbox.state.cards.values() if card["name"] == long)
    ask(stack, f"copy {copied['id']}")
    [request] = copies(stack)[1:]
    assert request.body == {"name": f"Copy of {long}"[:50]}
    assert len(request.body["name"]) == 50


def test_a_name_over_fifty_characters_is_refused_before_anything_is_sent(stack: LocalStack) -> None:
    shown = ask(stack, f"copy {CARD} {'x' * 51}")
    assert "50" in shown
    assert copies(stack) == []


def test_a_viewer_cannot_copy_a_card(stack: LocalStack) -> None:
    assert "operator role" in ask(stack, f"copy {CARD}", user=VIEWER)
    assert copies(stack) == []
    assert stack.services.store.audit.latest() == []


def test_copying_to_a_name_another_card_has_is_refused_and_nothing_is_sent(stack: LocalStack) -> None:
    shown = ask(stack, f"copy {CARD} vip membership")
    assert "already exists" in shown
    assert copies(stack) == []
    assert stack.services.store.audit.latest() == []
