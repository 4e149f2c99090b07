"""What the console prints: Slack messages, modals and the Home tab as text, with one numbering for every click.

The bench's renderer numbers each message's controls from 1; when one output shows several messages, later
ones are renumbered so that `click N` names exactly one control on the screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from localstack.slack import Control, Ephemeral, FakeSlack, Message, View, controls, render_message, render_view
from localstack.slack.render import plain

Target = Message | Ephemeral | View
_MENTION = re.compile(r"([@#])([UWCGD][0-9A-Z]{4,})\b")
INDENT = "  "


@dataclass
class Shown:
    """One thing on screen, its text, and the controls it offers (numbered from `first`)."""

    target: Target
    text: str
    controls: list[Control] = field(default_factory=list)


def _marker(control: Control, number: int) -> str:
    """How the bench's renderer writes a control: `[3] Label` for buttons and pickers, `(3) Option` for options."""
    if control.option is not None:
        return f"({number}) {plain(control.option.get('text'))}"
    if control.kind == "button":
        return f"[{number}] {plain(control.element.get('text'))}"
    return f"[{number}] {plain(control.element.get('placeholder')) or control.kind}"


def renumber(text: str, found: list[Control], first: int) -> str:
    """`text` with its controls numbered from `first` instead of 1, found in reading order."""
    if first == 1:
        return text
    position, parts = 0, []
    for number, control in enumerate(found, start=1):
        old, new = _marker(control, number), _marker(control, number + first - 1)
        at = text.find(old, position)
        if at < 0:  # an input with dispatch_action: numbered, but the renderer shows no marker
            continue
        parts += [text[position:at], new]
        position = at + len(old)
    return "".join([*parts, text[position:]])


def heading(slack: FakeSlack, target: Target, user: str) -> str | None:
    """Where a message appears: the channel (or a direct message), a modal, or the Home tab."""
    if isinstance(target, View):
        return "(App Home)" if target.type == "home" else "(modal)"
    if isinstance(target, Ephemeral):
        return None  # the renderer already says "(only visible to you)"
    known = slack.user(target.user) if target.user else None
    author = known.name if known else target.user or "loyalty-bot"
    if target.channel == "D" + user[1:]:
        return f"Direct message from {author}:"
    return f"#{slack.channel_name(target.channel)} · {author}:"


def _names(slack: FakeSlack, text: str) -> str:
    """`@U0OPERATOR` and `#C0APPROVALS` as Slack shows them: `@omar`, `#approvals`."""

    def name(match: re.Match[str]) -> str:
        sign, ident = match.group(1), match.group(2)
        if sign == "@":
            known = slack.user(ident)
            return f"@{known.name}" if known else match.group(0)
        with slack.workspace.lock:
            channel = slack.workspace.channels.get(ident)
        return f"#{channel.name}" if channel else match.group(0)

    return _MENTION.sub(name, text)


def show(slack: FakeSlack, targets: list[Target], user: str, first: int = 1) -> list[Shown]:
    """Render `targets` in order, numbering their controls on from `first`."""
    shown = []
    for target in targets:
        found = controls(target.blocks)
        body = render_view(target) if isinstance(target, View) else render_message(target)
        body = _names(slack, renumber(body, found, first))
        title = heading(slack, target, user)
        lines = ([title] if title else []) + [INDENT + line for line in body.splitlines()]
        shown.append(Shown(target, "\n".join(lines), found))
        first += len(found)
    return shown


def changes_since(slack: FakeSlack, user: str, since: int) -> list[Target]:
    """What `user` can see that appeared or changed after `since`, oldest change first.

    Ephemerals to the user, messages in channels (not other people's direct messages), and the user's top modal.
    """
    dm = "D" + user[1:]
    with slack.workspace.lock:
        fresh: list[Any] = [e for e in slack.ephemerals(user) if e.seq > since]
        for channel in slack.workspace.channels.values():
            if channel.is_im and channel.id != dm:
                continue
            fresh += [m for m in channel.messages if m.seq > since]
        top = slack.modal(user)
        if top is not None and top.seq > since:
            fresh.append(top)
    return sorted(fresh, key=lambda item: item.seq)


def is_loading(view: View | None) -> bool:
    """A "Loading…" placeholder the bot replaces as soon as its data arrives."""
    if view is None or any(b.get("type") == "input" for b in view.blocks):
        return False
    return "Loading…" in render_view(view)


def is_form(view: View | None) -> bool:
    """A modal the person fills in and submits."""
    return view is not None and bool(view.payload.get("submit")) and view.type == "modal"
