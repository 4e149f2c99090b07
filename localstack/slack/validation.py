"""Checks blocks and views the way Slack does, before a message or modal is accepted.

Two layers: slack-sdk's models (`Block.parse(...).to_dict()` and `View(...).to_dict()` raise
`SlackObjectFormationError` on the limits they know), then Slack's documented limits checked
here directly, so a limit the installed slack-sdk does not enforce is still caught.
Each function returns a list of human-readable problems; empty means Slack would accept it.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.views import common as limits  # Slack's limits, written once
from localstack.slack.elements import block_elements, element_options, input_blocks, text_of

MESSAGE_MAX_BLOCKS = limits.MESSAGE_BLOCKS
VIEW_MAX_BLOCKS = limits.VIEW_BLOCKS
ID_MAX = limits.ACTION_ID
SECTION_TEXT_MAX = limits.SECTION_TEXT
SECTION_FIELDS_MAX = limits.SECTION_FIELDS
SECTION_FIELD_MAX = limits.FIELD_TEXT
HEADER_TEXT_MAX = limits.HEADER_TEXT
BUTTON_TEXT_MAX = limits.BUTTON_TEXT
BUTTON_VALUE_MAX = limits.BUTTON_VALUE
URL_MAX = limits.URL
OPTIONS_MAX = limits.SELECT_OPTIONS
ACTIONS_ELEMENTS_MAX = limits.ACTIONS_ELEMENTS
CONTEXT_ELEMENTS_MAX = limits.CONTEXT_ELEMENTS
MODAL_TEXT_MAX = limits.MODAL_TITLE
PRIVATE_METADATA_MAX = limits.PRIVATE_METADATA
LABEL_MAX = limits.LABEL

# slack-sdk logs a warning for every unknown block type it meets; we report those ourselves.
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)


def _too_long(where: str, what: str, value: Any, limit: int) -> list[str]:
    length = len(str(value)) if value is not None else 0
    return [f"{where}: {what} is {length} characters; the limit is {limit}"] if length > limit else []


def _check_element(where: str, element: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = element.get("type")
    problems += _too_long(where, "action_id", element.get("action_id"), ID_MAX)
    if kind == "button":
        problems += _too_long(where, "button text", text_of(element.get("text")), BUTTON_TEXT_MAX)
        problems += _too_long(where, "button value", element.get("value"), BUTTON_VALUE_MAX)
        problems += _too_long(where, "button url", element.get("url"), URL_MAX)
    options = element_options(element)
    if len(options) > OPTIONS_MAX:
        problems.append(f"{where}: {len(options)} options; the limit is {OPTIONS_MAX}")
    return problems


def _check_block(where: str, block: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = block.get("type")
    problems += _too_long(where, "block_id", block.get("block_id"), ID_MAX)
    if kind == "section":
        fields = block.get("fields") or []
        if not block.get("text") and not fields:
            problems.append(f"{where}: a section needs text or fields")
        problems += _too_long(where, "text", text_of(block.get("text")), SECTION_TEXT_MAX)
        if len(fields) > SECTION_FIELDS_MAX:
            problems.append(f"{where}: {len(fields)} fields; the limit is {SECTION_FIELDS_MAX}")
        for n, item in enumerate(fields):
            problems += _too_long(f"{where} field {n}", "text", text_of(item), SECTION_FIELD_MAX)
    elif kind == "header":
        problems += _too_long(where, "header text", text_of(block.get("text")), HEADER_TEXT_MAX)
    elif kind == "actions" and len(block.get("elements") or []) > ACTIONS_ELEMENTS_MAX:
        problems.append(f"{where}: more than {ACTIONS_ELEMENTS_MAX} elements")
    elif kind == "context" and len(block.get("elements") or []) > CONTEXT_ELEMENTS_MAX:
        problems.append(f"{where}: more than {CONTEXT_ELEMENTS_MAX} elements")
    elif kind == "input":
        problems += _too_long(where, "label", text_of(block.get("label")), LABEL_MAX)
        problems += _too_long(where, "hint", text_of(block.get("hint")), LABEL_MAX)
    elements = block_elements(block)
    action_ids = Counter(e["action_id"] for e in elements if e.get("action_id"))
    problems += [f"{where}: action_id {a!r} is used {n} times" for a, n in action_ids.items() if n > 1]
    for n, element in enumerate(elements):
        problems += _check_element(f"{where} element {n} ({element.get('type')})", element)
    return problems


def _check_with_sdk(where: str, block: dict[str, Any]) -> list[str]:
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [f"{where}: unknown block type {block.get('type')!r}"]
        as_dict = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as exc:
        return [f"{where}: {exc}"]
    unknown = [e.get("type") for e in block_elements(block)] if None in as_dict.get("elements", []) else []
    return [f"{where}: unknown element type among {unknown}"] if unknown else []


def validate_blocks(blocks: Any, *, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[str]:
    """Problems Slack would reject these blocks for (a message allows 50, a view 100)."""
    if hasattr(blocks, "to_dict") or (isinstance(blocks, list) and any(hasattr(b, "to_dict") for b in blocks)):
        blocks = [b.to_dict() if hasattr(b, "to_dict") else b for b in blocks]
    if not isinstance(blocks, list):
        return [f"blocks must be a list, not {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks; the limit is {max_blocks}")
    for n, block in enumerate(blocks):
        where = f"blocks[{n}] ({block.get('type') if isinstance(block, dict) else '?'})"
        if not isinstance(block, dict) or "type" not in block:
            problems.append(f"blocks[{n}]: a block must be an object with a type")
            continue
        # our checks name the length found; the sdk's (first failure only) cover what ours do not
        problems += _check_block(where, block) or _check_with_sdk(where, block)
    block_ids = Counter(b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id"))
    problems += [f"block_id {b!r} is used {n} times" for b, n in block_ids.items() if n > 1]
    return problems


def validate_view(view: Any) -> list[str]:
    """Problems Slack would reject this modal or Home tab for."""
    if hasattr(view, "to_dict"):
        view = view.to_dict()
    if not isinstance(view, dict):
        return [f"view must be an object, not {type(view).__name__}"]
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view type must be modal or home, not {kind!r}"]
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, AttributeError) as exc:
        problems.append(f"view: {exc}")
    blocks = view.get("blocks") or []
    if kind == "modal":
        if not text_of(view.get("title")):
            problems.append("view: a modal needs a title")
        for part in ("title", "submit", "close"):
            problems += _too_long("view", part, text_of(view.get(part)) or None, MODAL_TEXT_MAX)
        if isinstance(blocks, list) and input_blocks(blocks) and not view.get("submit"):
            problems.append("view: a modal with input blocks needs a submit button")
    problems += _too_long("view", "private_metadata", view.get("private_metadata"), PRIVATE_METADATA_MAX)
    problems += _too_long("view", "callback_id", view.get("callback_id"), ID_MAX)
    problems += _too_long("view", "external_id", view.get("external_id"), ID_MAX)
    problems += validate_blocks(blocks, max_blocks=VIEW_MAX_BLOCKS)
    return list(dict.fromkeys(problems))  # the sdk and our own checks may word the same limit alike
