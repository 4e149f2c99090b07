"""Bad and hostile input to `/loyalty`: a helpful private reply that names the problem, and nothing else happens.

Every case is typed as a real signed slash command. Each must be answered in the ack itself with the problem
and the right usage, make no request to the loyalty API, write no audit row, and never hand Slack a live
mention or link (the raw payload carries `&lt;!channel&gt;`, not `<!channel>`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.sandbox import DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN

CARD = str(DEMO_STAMP_CARD_ID)
HOSTILE = ("*x*", "<!channel>", "<!here>", "<@U123>", "<#C0GENERAL>", "<https://evil.example|click>",
           "\u202eevil\u202c", "🎉", "a\u200bb", "&lt;!everyone&gt;")
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C0GENERAL>", "<https://evil.example")

# (text typed after /loyalty, usage expected in the reply, words that name the problem)
CASES: list[Any] = [
    # cards takes nothing
    ("cards everything", "/loyalty cards", "didn't expect"),
    ("cards <!channel>", "/loyalty cards", "didn't expect"),
    # copy <card> [new name]
    ("copy", "/loyalty copy <card> [new name]", "missing"),
    (f"copy {CARD} " + "n" * 51, "/loyalty copy <card> [new name]", "limit is 50"),
    (f"copy {CARD} *x* <!channel> " + "z" * 3900, "/loyalty copy <card> [new name]", "limit is 50"),
    (f'copy {CARD} ""', "/loyalty copy <card> [new name]", "empty"),
    # members <card> [words…] [--voided]
    ("members", "/loyalty members <card>", "card is missing"),
    ("members --voided", "/loyalty members <card>", "card is missing"),
    (f"members {CARD} --unknown", "/loyalty members <card>", "--unknown"),
    (f"members {CARD} " + "w " * 120, "/loyalty members <card>", "too long"),
    # member <card> <member>
    ("member", "/loyalty member <card> <member>", "card is missing"),
    (f"member {CARD}", "/loyalty member <card> <member>", "member is missing"),
    (f"member {CARD} 1 2", "/loyalty member <card> <member>", "didn't expect"),
    (f"member {CARD} --voided", "/loyalty member <card> <member>", "option"),
    (f"member {CARD} " + "m" * 201, "/loyalty member <card> <member>", "too long"),
    (f"member {CARD} 1 <!channel> <@U123>", "/loyalty member <card> <member>", "didn't expect"),
    # add <card>, import <card>
    ("add", "/loyalty add <card>", "card is missing"),
    (f"add {CARD} <https://evil.example|click>", "/loyalty add <card>", "didn't expect"),
    ("import", "/loyalty import <card>", "card is missing"),
    (f"import {CARD} file.csv", "/loyalty import <card>", "didn't expect"),
    # edit, redeem, void, delete <card> <member>
    (f"edit {CARD}", "/loyalty edit <card> <member>", "member is missing"),
    (f"edit {CARD} 1 --email x@example.com", "/loyalty edit <card> <member>", "didn't expect"),
    ("redeem", "/loyalty redeem <card> <member>", "card is missing"),
    (f"redeem {CARD} 1 all", "/loyalty redeem <card> <member>", "didn't expect"),
    (f"void {CARD}", "/loyalty void <card> <member>", "member is missing"),
    (f"void {CARD} 1 --force", "/loyalty void <card> <member>", "didn't expect"),
    ("delete --all", "/loyalty delete <card> <member>", "missing"),
    (f"delete --all {CARD}", "/loyalty delete <card> <member>", "option"),
    (f"delete {CARD} 1 🎉\u200b\u202e", "/loyalty delete <card> <member>", "didn't expect"),
    # stamp <card> <member> [amount]
    (f"stamp {CARD}", "/loyalty stamp <card> <member> [amount]", "member is missing"),
    (f"stamp {CARD} 1 0", "/loyalty stamp <card> <member> [amount]", "from 1 to"),
    (f"stamp {CARD} 1 -1", "/loyalty stamp <card> <member> [amount]", "whole number"),
    (f"stamp {CARD} 1 1.5", "/loyalty stamp <card> <member> [amount]", "whole number"),
    (f"stamp {CARD} 1 1,5", "/loyalty stamp <card> <member> [amount]", "whole number"),
    (f"stamp {CARD} 1 1e3", "/loyalty stamp <card> <member> [amount]", "whole number"),
    (f"stamp {CARD} 1 101", "/loyalty stamp <card> <member> [amount]", "from 1 to"),
    (f"stamp {CARD} 1 99999999999999999999", "/loyalty stamp <card> <member> [amount]", "whole number"),
    (f"stamp {CARD} 1 ten", "/loyalty stamp <card> <member> [amount]", "whole number"),
    (f"stamp {CARD} 1 2 3", "/loyalty stamp <card> <member> [amount]", "didn't expect"),
    # push <card> [--to <member>,…] <message>
    ("push", "/loyalty push <card>", "card is missing"),
    (f"push {CARD}", "/loyalty push <card>", "message is empty"),
    (f"push {CARD} --to", "/loyalty push <card>", "--to"),
    (f"push {CARD} --to 1,,2 <!channel> free coffee", "/loyalty push <card>", "empty entry"),
    (f"push {CARD} --unknown <!here> hello", "/loyalty push <card>", "--unknown"),
    (f"push {CARD} Hi --to ada@example.com", "/loyalty push <card>", "came after the message"),
    (f"push {CARD} --to 1 Hi <!channel> --at 10:00", "/loyalty push <card>", "came after the message"),
    # use [<card>|--clear]
    (f"use {CARD} 2", "/loyalty use [<card>|--clear]", "didn't expect"),
    (f"use {CARD} --clear", "/loyalty use [<card>|--clear]", "didn't expect"),
    # a member name is the rest of the line only when every word reads as a name
    (f"member {CARD} Ada 2", "/loyalty member <card> <member>", "didn't expect"),
    (f"stamp {CARD} Ada Lovelace 1.5", "/loyalty stamp <card> <member> [amount]", "didn't expect"),
    # audit [<card>]
    (f"audit {CARD} extra", "/loyalty audit [<card>]", "didn't expect"),
    # quotes
    ('member "Coffee Club 1', "/loyalty member <card> <member>", "quote is not closed"),
    (f"stamp '{CARD} 1", "/loyalty stamp <card> <member> [amount]", "quote is not closed"),
]


def _ask(stack: LocalStack, text: str) -> tuple[dict[str, Any], str]:
    """Type the command; return the raw ack payload and what the user is shown."""
    ack = stack.driver.command(text, user=ADMIN)
    assert ack.status == 200
    assert isinstance(ack.json, dict), f"expected the reply in the ack itself, got {ack.body!r}"
    return ack.json, render_message(stack.driver.wait_reply(ADMIN))


def _parsed_texts(node: Any) -> list[str]:
    """Every text Slack parses as mrkdwn: `mrkdwn` text objects (plain_text is shown literally)."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str) else []
        return own + [text for value in node.values() for text in _parsed_texts(value)]
    if isinstance(node, list):
        return [text for item in node for text in _parsed_texts(item)]
    return []


def _assert_inert(raw: dict[str, Any]) -> None:
    """No mention, broadcast or link the user typed reaches Slack live: not in the blocks, not in `text`."""
    for text in [str(raw.get("text") or ""), *_parsed_texts(raw.get("blocks") or [])]:
        for live in LIVE:
            assert live not in text, f"{live} was echoed live: {text[:300]}"


def _assert_nothing_happened(stack: LocalStack, requests_before: int) -> None:
    assert len(stack.sandbox.requests) == requests_before
    assert stack.services.store.audit.latest() == []


@pytest.mark.parametrize(("text", "usage", "problem"), CASES,
                         ids=[(case.values if hasattr(case, "values") else case)[0][:40] for case in CASES])
def test_bad_input_names_the_problem_shows_usage_and_calls_nothing(
        stack: LocalStack, text: str, usage: str, problem: str) -> None:
    before = len(stack.sandbox.requests)
    raw, shown = _ask(stack, text)
    assert raw.get("response_type") == "ephemeral"
    assert problem.lower() in shown.lower()
    assert usage in shown
    _assert_inert(raw)
    _assert_nothing_happened(stack, before)


def test_text_over_slacks_4000_characters_is_refused_with_its_length(stack: LocalStack) -> None:
    before = len(stack.sandbox.requests)
    _raw, shown = _ask(stack, f"push {CARD} " + "<!channel> " * 500)
    assert "too long" in shown
    assert "4000" in shown.replace(",", "")
    _assert_nothing_happened(stack, before)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_unknown_subcommand_gets_help_without_a_live_mention(stack: LocalStack, hostile: str) -> None:
    before = len(stack.sandbox.requests)
    raw, shown = _ask(stack, f"{hostile} 1 2")
    assert "/loyalty member" in shown  # the general help
    _assert_inert(raw)
    _assert_nothing_happened(stack, before)


def test_typed_mention_markup_is_escaped_in_blocks_and_in_the_notification_text(stack: LocalStack) -> None:
    # Someone typing `<!channel>` literally reaches us escaped by Slack; echoing it back must keep it escaped.
    raw, _shown = _ask(stack, f"member {CARD} 1 &lt;!channel&gt; &lt;@U123&gt;")
    assert "&lt;!channel&gt;" in raw["text"]
    assert "&lt;!channel&gt;" in json.dumps(raw["blocks"])
    _assert_inert(raw)


def test_real_mentions_are_echoed_as_plain_names(stack: LocalStack) -> None:
    # A real @channel or @someone arrives as Slack markup: the reply names it without pinging anyone.
    raw, shown = _ask(stack, f"member {CARD} 1 <!channel> <@U123>")
    assert "@channel" in shown
    _assert_inert(raw)


def test_hostile_member_reference_is_answered_without_a_live_mention(stack: LocalStack) -> None:
    """Well-formed but hostile: the lookup runs (reads only) and the 'not found' reply quotes it inertly."""
    stack.driver.command(f"member {CARD} &lt;!channel&gt;", user=ADMIN)
    reply = stack.driver.wait_reply(ADMIN)
    assert "No member" in render_message(reply)
    sent = stack.slack.calls("response_url")[-1].params
    _assert_inert(sent)
    assert "&lt;!channel&gt;" in json.dumps(sent)
    assert not stack.sandbox.find_requests("POST")
    assert not stack.sandbox.find_requests("PUT")
    assert stack.services.store.audit.latest() == []


def _crowded_member(stack: LocalStack) -> int:
    """A member with all 8 custom fields (long, hostile values) and 40 rewards, written into the sandbox."""
    now = datetime.now()
    stamp = "%Y-%m-%d %H:%M:%S"
    rewards = []
    for n in range(40):
        added = now - timedelta(days=200 - n)
        used = added + timedelta(days=1) if n % 3 == 0 else None
        expires = added + timedelta(days=30 if n % 3 == 1 else 400)
        rewards.append({
            "id": 90_000 + n, "name": f"Reward {n} <!channel> *free* " + "🎁" * 60,
            "added_at": added.strftime(stamp), "expired_at": expires.strftime(stamp),
            "used_at": used.strftime(stamp) if used else None,
        })
    member = {
        "id": 9001, "card_id": DEMO_STAMP_CARD_ID, "code": "crowded9001",
        "first_name": "Crowded <@U123>", "last_name": "Member " + "x" * 300,
        "email": "crowded@example.com", "phone": "+3225559001",
        "address": "Long Street " + "9" * 500, "zip": "1000", "city": "Brussels",
        **{f"custom_{n}": f"value {n} <https://evil.example|click> " + "v" * 2500 for n in range(1, 9)},
        "stamps": 412, "rewards": rewards,
        "download_url": "https://loyalty.coupontools.com/cof3e1/crowded9001",
        "created_at": (now - timedelta(days=300)).strftime(stamp), "voided_at": None, "expired_at": None,
    }
    with stack.sandbox.state.lock:
        stack.sandbox.state.members[member["id"]] = member
    return int(member["id"])


def test_member_with_8_custom_fields_and_40_rewards_renders_within_slacks_limits(stack: LocalStack) -> None:
    member_id = _crowded_member(stack)
    stack.driver.command(f"member {CARD} {member_id}", user=ADMIN)
    reply = stack.driver.wait_reply(ADMIN)
    shown = render_message(reply)
    assert "Crowded" in shown
    assert "Custom 8" in shown
    assert "more" in shown  # the reward lists say how many were left out
    for label in ("Add stamp", "Edit", "Void", "Delete"):
        assert label in shown
    _assert_inert(stack.slack.calls("response_url")[-1].params)
    # the `stack` fixture fails the test if Slack would have refused any of it
