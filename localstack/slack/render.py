"""Block Kit as plain text for a terminal: what a person would read, with every control numbered.

Numbers follow `elements.controls(blocks)`, so `controls(blocks)[n - 1]` is the control shown as `[n]`
(the demo console hands it to `SlackDriver.click(target, choice=…)`).
"""

from __future__ import annotations

import html
import re
from typing import Any

from localstack.slack.elements import OPTION_ELEMENTS, controls, element_options, text_of
from localstack.slack.state import Ephemeral, Message, View

RULE = "-" * 40
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]+))?>")


def _link(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "#")):
        return f"{target[0]}{label or target[1:]}"
    if target.startswith("!"):
        return f"@{label or target[1:].split('^')[0]}"
    return f"{label} ({target})" if label else target


def plain(text: Any) -> str:
    """A text object or mrkdwn string as readable text: links spelled out, entities decoded."""
    return html.unescape(_LINK.sub(_link, text_of(text)))


def _rich_text(element: dict[str, Any]) -> str:
    if "text" in element and isinstance(element["text"], str):
        return element["text"]
    if element.get("type") in ("user", "usergroup", "channel"):
        return f"@{element.get('user_id') or element.get('usergroup_id') or element.get('channel_id')}"
    if element.get("type") == "link":
        return str(element.get("text") or element.get("url"))
    return "".join(_rich_text(child) for child in element.get("elements") or [])


class _Renderer:
    def __init__(self, blocks: list[dict[str, Any]]) -> None:
        self.numbers = {
            (id(c.element), id(c.option) if c.option is not None else None): n
            for n, c in enumerate(controls(blocks), start=1)
        }

    def control(self, element: dict[str, Any]) -> str:
        """One element as a numbered button, a menu of numbered options, or a picker."""
        kind = element.get("type")
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind in ("mrkdwn", "plain_text"):
            return plain(element)
        if kind == "button":
            style = f" ({element['style']})" if element.get("style") else ""
            return f"[{self.numbers.get((id(element), None), '?')}] {plain(element.get('text'))}{style}"
        if kind in OPTION_ELEMENTS:
            name = plain(element.get("placeholder")) or ("…" if kind == "overflow" else "Choose")
            picks = "  ".join(f"({self.numbers.get((id(element), id(o)), '?')}) {plain(o.get('text'))}"
                              for o in element_options(element))
            return f"{name}: {picks}"
        number = self.numbers.get((id(element), None))
        label = plain(element.get("placeholder")) or str(kind)
        return f"[{number}] {label} ▾" if number else f"[{label}]"

    def block(self, block: dict[str, Any]) -> list[str]:
        kind = block.get("type")
        if kind == "header":
            return [f"== {plain(block.get('text'))} =="]
        if kind == "divider":
            return [RULE]
        if kind == "section":
            lines = plain(block.get("text")).splitlines() if block.get("text") else []
            for item in block.get("fields") or []:
                first, *rest = plain(item).splitlines() or [""]
                lines += [f"  • {first}", *(f"    {line}" for line in rest)]
            if isinstance(block.get("accessory"), dict):
                lines.append(f"  {self.control(block['accessory'])}")
            return lines
        if kind == "context":
            return ["  › " + " · ".join(self.control(e) for e in block.get("elements") or [])]
        if kind == "actions":
            return ["  ".join(self.control(e) for e in block.get("elements") or [])]
        if kind == "image":
            title = f" {plain(block.get('title'))}" if block.get("title") else ""
            return [f"[image: {block.get('alt_text', '')}]{title}"]
        if kind == "input":
            return self.input(block)
        if kind == "rich_text":
            return _rich_text(block).splitlines()
        return [f"[{kind}]"]

    def input(self, block: dict[str, Any]) -> list[str]:
        element = block.get("element") or {}
        optional = " (optional)" if block.get("optional") else ""
        if element.get("type") in OPTION_ELEMENTS:
            shown = _choices(element)
        else:
            initial = element.get("initial_value") or plain(element.get("placeholder"))
            shown = f"[{initial or '…'}]"
        lines = [f"{plain(block.get('label'))}{optional}: {shown}"]
        if block.get("hint"):
            lines.append(f"  ({plain(block['hint'])})")
        return lines


def _choices(element: dict[str, Any]) -> str:
    """A form field's options, marking the preselected ones: `( ) Gold  (•) Silver`, `[x]` for checkboxes."""
    chosen = [element.get("initial_option"), *(element.get("initial_options") or [])]
    marks = ("[ ]", "[x]") if element.get("type") == "checkboxes" else ("( )", "(•)")
    return "  ".join(f"{marks[o in chosen]} {plain(o.get('text'))}" for o in element_options(element))


def render_blocks(blocks: list[dict[str, Any]]) -> str:
    """The blocks as lines of text: headers, sections, fields, context, images as alt text, numbered controls."""
    renderer = _Renderer(blocks)
    return "\n".join(line for block in blocks for line in renderer.block(block))


def render_view(view: View | dict[str, Any]) -> str:
    """A modal or Home tab: title bar, blocks, and its Submit / Close buttons."""
    payload = view.payload if isinstance(view, View) else view
    lines = [f"[ {plain(payload.get('title')) or 'Home'} ]"]
    body = render_blocks(payload.get("blocks") or [])
    if body:
        lines.append(body)
    buttons = [f"<{plain(payload[k])}>" for k in ("close", "submit") if payload.get(k)]
    if buttons:
        lines.append("  ".join(buttons))
    return "\n".join(lines)


def render_message(message: Message | Ephemeral) -> str:
    """A message as a person sees it: blocks when present (else the text), files, and who sees it."""
    lines = ["(only visible to you)"] if isinstance(message, Ephemeral) else []
    lines.append(render_blocks(message.blocks) if message.blocks else plain(message.text))
    if isinstance(message, Message):
        lines += [f"[file: {f.title or f.name}]" for f in message.files]
    return "\n".join(line for line in lines if line)
