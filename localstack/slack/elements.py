"""Finding the interactive parts of Block Kit: what a person can click, pick or type into."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

OPTION_ELEMENTS = frozenset(
    {"static_select", "multi_static_select", "overflow", "radio_buttons", "checkboxes"}
)
"""Elements whose choices are listed in the blocks, so a person picks one of their options."""

MULTI_VALUE_ELEMENTS = frozenset(
    {"multi_static_select", "checkboxes", "multi_users_select", "multi_conversations_select",
     "multi_channels_select", "multi_external_select"}
)


def text_of(obj: Any) -> str:
    """The words of a text object (or a plain string); empty when absent."""
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def element_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of a select-like element, option groups flattened in order."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def block_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The elements a block holds: an actions/context block's list, a section's accessory, an input's field."""
    kind = block.get("type")
    if kind in ("actions", "context"):
        return [e for e in block.get("elements") or [] if isinstance(e, dict)]
    if kind == "section" and isinstance(block.get("accessory"), dict):
        return [block["accessory"]]
    if kind == "input" and isinstance(block.get("element"), dict):
        return [block["element"]]
    return []


def iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (block, element) pair, in reading order."""
    for block in blocks:
        if isinstance(block, dict):
            for element in block_elements(block):
                yield block, element


@dataclass(frozen=True)
class Control:
    """One thing a person can operate in a message or view: a button, or one choice of a menu."""

    block_id: str
    action_id: str
    element: dict[str, Any]
    option: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return str(self.element.get("type", ""))

    @property
    def label(self) -> str:
        """What the person reads: the button's text or the option's text (a picker's placeholder)."""
        if self.option is not None:
            return text_of(self.option.get("text"))
        return text_of(self.element.get("text") or self.element.get("placeholder")) or self.kind

    @property
    def value(self) -> str | None:
        """The button's or the option's value."""
        source = self.option if self.option is not None else self.element
        value = source.get("value")
        return None if value is None else str(value)


def controls(blocks: list[dict[str, Any]]) -> list[Control]:
    """What a person can click in these blocks, numbered by position: buttons and menu options.

    Input blocks count only with `dispatch_action` (Slack sends nothing for them otherwise);
    context blocks hold no controls.
    """
    found: list[Control] = []
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") == "context":
            continue
        if block.get("type") == "input" and not block.get("dispatch_action"):
            continue
        for element in block_elements(block):
            kind = element.get("type")
            if kind in (None, "image", "mrkdwn", "plain_text"):
                continue
            block_id, action_id = str(block.get("block_id", "")), str(element.get("action_id", ""))
            if kind in OPTION_ELEMENTS:
                found.extend(Control(block_id, action_id, element, o) for o in element_options(element))
            else:
                found.append(Control(block_id, action_id, element))
    return found


def input_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The input blocks of a view, whose values a submission carries."""
    return [b for b in blocks if isinstance(b, dict) and b.get("type") == "input" and b.get("element")]
