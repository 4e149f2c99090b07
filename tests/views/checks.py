"""Slack's rules for what it accepts, checked on the dicts our views produce.

slack-sdk's own validators run too (by parsing each block back into a model); these add what it does not
check: the 50-block message limit, 2,000 characters a section field, unique ids, non-blank texts, and that
user text can never become a mention or a link.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.views.common import slack_length

# The only `<…>` our mrkdwn may contain: a web link with a label. Mentions (`<!channel>`, `<@U…>`, `<#C…>`)
# and anything else mean user text got through unescaped.
OUR_LINK = re.compile(r"<https?://[^\s<>|]+\|[^<>|]+>")


def check_mrkdwn(text: str, limit: int) -> None:
    assert text.strip(), "Slack refuses blank text"
    assert slack_length(text) <= limit, f"{slack_length(text)} > {limit}"
    assert "<" not in OUR_LINK.sub("", text), f"unescaped < in {text[:200]!r}"
    assert ">" not in OUR_LINK.sub("", text), f"unescaped > in {text[:200]!r}"


def check_plain(obj: dict[str, Any], limit: int) -> None:
    assert obj["type"] == "plain_text"
    assert obj["text"].strip(), "Slack refuses blank text"
    assert slack_length(obj["text"]) <= limit


def check_text(obj: dict[str, Any], limit: int) -> None:
    if obj["type"] == "mrkdwn":
        check_mrkdwn(obj["text"], limit)
    else:
        check_plain(obj, limit)


def check_element(element: dict[str, Any]) -> None:
    if element["type"] == "button":
        check_plain(element["text"], 75)
        assert 0 < len(element["value"]) <= 2000
        assert 0 < len(element["action_id"]) <= 255
    elif element["type"] == "static_select":
        options = element["options"]
        assert 0 < len(options) <= 100
        assert len({option["value"] for option in options}) == len(options), "duplicate option values"
        for option in options:
            check_plain(option["text"], 75)
            assert 0 < len(option["value"]) <= 150
    elif element["type"] == "plain_text_input":
        check_plain(element["placeholder"], 150)
    else:
        raise AssertionError(f"unexpected element {element['type']}")


def check_block(block: dict[str, Any]) -> None:
    assert Block.parse(block).to_dict() == block  # slack-sdk's validators
    kind = block["type"]
    if kind == "section":
        assert "text" in block or "fields" in block
        if "text" in block:
            check_text(block["text"], 3000)
        assert len(block.get("fields", [])) <= 10
        for field in block.get("fields", []):
            check_text(field, 2000)
        if "accessory" in block:
            check_element(block["accessory"])
    elif kind == "header":
        check_plain(block["text"], 150)
    elif kind == "context":
        assert 0 < len(block["elements"]) <= 10
        for element in block["elements"]:
            check_text(element, 2000)
    elif kind == "actions":
        assert 0 < len(block["elements"]) <= 25
        action_ids = [element["action_id"] for element in block["elements"]]
        assert len(set(action_ids)) == len(action_ids), "Slack refuses one action_id twice in a block"
        for element in block["elements"]:
            check_element(element)
    elif kind == "input":
        check_plain(block["label"], 2000)
        if "hint" in block:
            check_plain(block["hint"], 2000)
        check_element(block["element"])
    else:
        assert kind == "divider", f"unexpected block {kind}"


def check_blocks(blocks: list[dict[str, Any]], limit: int) -> None:
    assert 0 < len(blocks) <= limit, f"{len(blocks)} blocks"
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(set(block_ids)) == len(block_ids)
    for block in blocks:
        check_block(block)


def check_message(payload: dict[str, Any]) -> None:
    """Everything Slack checks on a message we send (chat.postMessage / respond)."""
    assert set(payload) == {"text", "blocks"}
    check_mrkdwn(payload["text"], 3000)  # Slack parses a message's text as mrkdwn too
    check_blocks(payload["blocks"], 50)


def check_view(payload: dict[str, Any]) -> None:
    """Everything Slack checks on a modal or Home tab we open, update or publish."""
    assert View(**payload).to_dict() == payload  # slack-sdk's validators
    if payload["type"] == "modal":
        for key in ("title", "submit", "close"):
            if key in payload:
                check_plain(payload[key], 24)
        assert len(payload.get("private_metadata", "")) <= 3000
    else:
        assert payload["type"] == "home"
        assert not {"title", "submit", "close"} & set(payload)
    check_blocks(payload["blocks"], 100)


def all_mrkdwn(payload: dict[str, Any] | list[Any]) -> list[str]:
    """Every mrkdwn string in a payload, the message's own text included."""
    found: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn" or ("blocks" in payload and "text" in payload):
            found.append(payload["text"])
        for value in payload.values():
            if isinstance(value, dict | list):
                found += all_mrkdwn(value)
    else:
        for value in payload:
            if isinstance(value, dict | list):
                found += all_mrkdwn(value)
    return found
