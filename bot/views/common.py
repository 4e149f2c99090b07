"""Building blocks shared by every view: escaping, truncation to Slack's limits, and small message shapes.

Every text that came from a user or the API goes through `escape` (mrkdwn) or `plain` (plain_text) here,
and every length is cut to the limit Slack enforces, so no data can make Slack reject a view or ping a channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

# Slack's limits (https://docs.slack.dev/reference/block-kit), in one place.
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
CONTEXT_TEXT = 2000
CONTEXT_ELEMENTS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
SELECT_OPTIONS = 100
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MODAL_TITLE = 24
ACTION_ID = 255
URL = 3000
LABEL = 2000
ACTIONS_ELEMENTS = 25
PRIVATE_METADATA = 3000
FALLBACK_TEXT = 3000
"""Slack allows far more in a message's `text`, but it only feeds notifications: keep it short."""

ELLIPSIS = "…"
_ENTITIES = ("&amp;", "&lt;", "&gt;")
# C0/C1 control characters other than tab and newline: invisible, and some clients choke on them.
# Control characters, and the bidirectional ones (U+202E and kin) that make a name read backwards in Slack:
# "\u202eexe.txt" shows as "txt.exe", and a member named so could pass for another.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(text: str) -> str:
    """Make user or API text inert in mrkdwn: `&`, `<`, `>` become entities, so `<!channel>` pings nobody."""
    cleaned = _CONTROL.sub("", text)
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_length(text: str) -> int:
    """Length as Slack may count it (UTF-16 code units); never less than `len(text)`, so safe either way."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with … when cut; never splits an `&amp;`-style entity."""
    if slack_length(text) <= limit:
        return text
    budget = limit - len(ELLIPSIS)
    used = cut = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        cut += 1
    amp = text.rfind("&", max(0, cut - 4), cut)
    if amp != -1 and any(text.startswith(entity, amp) and amp + len(entity) > cut for entity in _ENTITIES):
        cut = amp
    return text[:cut] + ELLIPSIS


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) folded into single spaces: for names, codes and other labels."""
    return " ".join(_CONTROL.sub("", text).split())


def inline(text: str, limit: int) -> str:
    """A user or API value for use inside mrkdwn on one line: escaped, folded and cut to `limit`."""
    return truncate(escape(one_line(text)), limit)


def code(text: str, limit: int = 200) -> str:
    """A value shown as `inline code`; backticks in it become quotes so it cannot break out of the span."""
    shown = inline(text.replace("`", "'"), limit) or "–"
    return f"`{shown}`"


def format_time(value: datetime) -> str:
    """A timestamp the way people read it, e.g. `12 Feb 2024 12:31` (the API's times carry no zone)."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year} {value.hour:02d}:{value.minute:02d}"


def format_date(value: datetime) -> str:
    """A day, e.g. `12 Feb 2024`."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 stamp`, `3 stamps`."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> MarkdownTextObject:
    """A mrkdwn text object of already-escaped text; verbatim, so Slack adds no links or mentions of its own."""
    return MarkdownTextObject(text=truncate(text, limit) if text.strip() else "–", verbatim=True)


def plain(text: str, limit: int, *, fallback: str = "–") -> PlainTextObject:
    """A plain_text object: Slack shows it literally, so it needs no escaping, only a length and a non-blank."""
    folded = one_line(text)
    return PlainTextObject(text=truncate(folded or fallback, limit))


def section(
    text: str | None = None,
    *,
    fields: Sequence[str] = (),
    accessory: ButtonElement | None = None,
) -> SectionBlock:
    """A section of already-escaped mrkdwn text and/or up to 10 fields, each cut to Slack's limit."""
    return SectionBlock(
        text=mrkdwn(text) if text is not None else None,
        fields=[mrkdwn(field, FIELD_TEXT) for field in fields[:SECTION_FIELDS]] or None,
        accessory=accessory,
    )


def header(text: str) -> HeaderBlock:
    """A header block; `text` is raw (plain_text is not parsed)."""
    return HeaderBlock(text=plain(text, HEADER_TEXT))


def context(*texts: str) -> ContextBlock:
    """A context line of already-escaped mrkdwn snippets (at most 10)."""
    return ContextBlock(elements=[mrkdwn(text, CONTEXT_TEXT) for text in texts[:CONTEXT_ELEMENTS]])


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> ButtonElement:
    """A button; a value too long for Slack is a programming error, so it raises rather than being cut."""
    if len(value) > BUTTON_VALUE:
        raise ValueError(f"button value for {action_id} is {len(value)} characters; Slack allows {BUTTON_VALUE}")
    return ButtonElement(text=plain(label, BUTTON_TEXT), action_id=action_id, value=value, style=style)


@dataclass(frozen=True)
class Message:
    """A message to post or to answer with: `text` feeds notifications, `blocks` is what people see.

    Slack parses `text` as mrkdwn too, so builders put only escaped text in it.
    """

    text: str
    blocks: list[Block]

    def __post_init__(self) -> None:
        if len(self.blocks) > MESSAGE_BLOCKS:
            raise ValueError(f"a message holds at most {MESSAGE_BLOCKS} blocks, not {len(self.blocks)}")

    def to_dict(self) -> dict[str, Any]:
        """The payload for chat.postMessage / respond(): `{"text": …, "blocks": […]}` (validated by slack-sdk)."""
        return {"text": self.text, "blocks": [block.to_dict() for block in self.blocks]}


def fallback(text: str) -> str:
    """Notification text from already-escaped text: one line, short, never blank."""
    return truncate(" ".join(text.split()), FALLBACK_TEXT) or "Loyalty"


def notice(text: str, *, emoji: str | None = None) -> Message:
    """A one-line reply. `text` is escaped here, so it may quote user input; `*bold*` and `code` still work."""
    escaped = escape(text)
    body = f":{emoji.strip(':')}: {escaped}" if emoji else escaped
    return Message(text=fallback(escaped), blocks=[section(body)])


def modal(
    title: str,
    blocks: Sequence[Block],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str = "Close",
    private_metadata: str | None = None,
) -> View:
    """A modal view with its title cut to Slack's 24 characters."""
    if private_metadata is not None and len(private_metadata) > PRIVATE_METADATA:
        raise ValueError(f"private_metadata is {len(private_metadata)} characters; Slack allows {PRIVATE_METADATA}")
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, MODAL_TITLE, fallback="Loyalty"),
        submit=plain(submit, MODAL_TITLE) if submit else None,
        close=plain(close, MODAL_TITLE),
        blocks=list(blocks)[:VIEW_BLOCKS],
        private_metadata=private_metadata,
    )


def loading_modal(title: str) -> View:
    """The modal opened at once (the trigger id dies in 3 seconds) and updated when the data arrives."""
    return modal(title, [section(":hourglass_flowing_sand: Loading…")])


def error_modal(title: str, text: str) -> View:
    """A modal that says what went wrong and what to do next; `text` is escaped here."""
    return modal(title, [section(f":warning: {escape(text)}")])
