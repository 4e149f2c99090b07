"""The app's Home tab: what it does, how to use `/loyalty`, the user's role, and the cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot.coupontools.models import Card
from bot.stats import MemberFigures
from bot.store import HeldChange
from bot.views.approvals import approval_buttons, channel_link, mention, when
from bot.views.cards import NO_CARDS, card_blocks
from bot.views.common import VIEW_BLOCKS, code, context, escape, header, inline, plural, section
from bot.views.help import COMMAND, USAGES
from bot.views.scheduled import scheduled_message

SCHEDULED_BLOCKS = 12
"""At most this many blocks of scheduled pushes on Home (the list says how many more there are)."""

ROLES: dict[str, str] = {
    "viewer": "you can look up cards and members.",
    "operator": "you can look up and change members, copy cards and ask for pushes.",
    "admin": "you can do everything: change, void and delete members, approve pushes and read the audit log.",
    "no access": (
        "you can't use the app yet. Ask whoever runs it to add your Slack user id "
        "(or a user group you are in) to one of its roles."
    ),
}
LOOKUP_EXAMPLES = ("cards", "members", "member")
HEADLINE_DAYS = 30
APPROVALS_SHOWN = 5
"""Pending approvals listed on an admin's Home (three blocks each); the rest wait in the approvals channel."""
PREVIEW = 150
CHANGE_EXAMPLES = ("stamp",)

_ABOUT = (
    "I run your Coupontools loyalty programmes from Slack: look up members, add stamps, redeem rewards, "
    "and message members. Anything that cannot be undone asks for a confirmation first, "
    "and answers about members are shown only to you."
)


def headline(figures: MemberFigures) -> str:
    """A card's figures in one line, for the Home tab."""
    new = figures.new_since(figures.as_of - timedelta(days=HEADLINE_DAYS))
    return (f"{plural(figures.live, 'live member')} · {new} new in {HEADLINE_DAYS} days · "
            f"{plural(figures.rewards_available, 'reward')} waiting · as of {figures.as_of:%H:%M}")


def _cards(cards: Sequence[Card], figures: Mapping[int, MemberFigures], room: int) -> list[Block]:
    """The cards, each followed by its headline figures when they are known."""
    if not figures:
        return card_blocks(cards, room)
    shown = card_blocks(cards, room // 2)
    listed = len(shown) if len(cards) <= room // 2 else len(shown) - 1
    blocks: list[Block] = []
    for card, block in zip(cards[:listed], shown[:listed], strict=True):
        blocks.append(block)
        known = figures.get(card.id)
        blocks.append(context(headline(known) if known else f"Figures: {code(f'{COMMAND} stats {card.id}')}"))
    return blocks + shown[listed:]


def _approvals(approvals: Sequence[tuple[HeldChange, str]]) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), header(f"Pushes waiting for approval ({len(approvals)})")]
    for approval, card_name in approvals[:APPROVALS_SHOWN]:
        audience = "every member" if approval.is_broadcast else plural(approval.recipient_count, "member")
        blocks += [
            section(f":mega: {mention(approval.requester)} asks to send a push to {audience} of "
                    f"*{inline(card_name, 150)}*. It expires on {when(approval.expires_at)}."),
            context(f"“{inline(approval.message, PREVIEW)}”"),
            approval_buttons(approval),
        ]
    if len(approvals) > APPROVALS_SHOWN:
        blocks.append(context(f"…and {len(approvals) - APPROVALS_SHOWN} more in the approvals channel."))
    return blocks


def home_view(cards: Sequence[Card], *, role: str, figures: Mapping[int, MemberFigures] | None = None,
              approvals: Sequence[tuple[HeldChange, str]] = (), defaults: Sequence[tuple[str, str]] = (),
              scheduled: Sequence[HeldChange] = ()) -> View:
    """The Home tab; an unknown `role` counts as no access, and then no cards are listed.

    `figures` are the cards' member figures known so far (by card id); `approvals`, with their card names,
    are shown to admins only, as are the `scheduled` pushes not sent yet; `defaults`: the channels with a default
    card (`use`), and its name.
    """
    known = role if role in ROLES else "no access"
    names = LOOKUP_EXAMPLES + (CHANGE_EXAMPLES if known in ("operator", "admin") else ()) + ("help",)
    examples = "\n".join(f"• {code(f'{COMMAND} {USAGES[name].example}')}" for name in names)
    blocks: list[Block] = [
        header("Loyalty assistant"),
        section(_ABOUT),
        section(f"*Your role:* {escape(known)} — {ROLES[known]}"),
        section(f"*Try it* in any channel or DM:\n{examples}\nor use the *Look up a member* shortcut."),
    ]
    if known == "admin" and approvals:
        blocks += _approvals(approvals)
    if known == "admin" and scheduled:
        card_names = {card.id: card.display_name for card in cards}
        listed = scheduled_message(scheduled, lambda card_id: card_names.get(card_id, f"card {card_id}"))
        blocks += [DividerBlock(), *listed.blocks[:SCHEDULED_BLOCKS]]
    if known != "no access":
        blocks += [DividerBlock(), header(f"Loyalty cards ({len(cards)})")]
        if defaults:
            lines = "\n".join(f"• {channel_link(channel)}: *{inline(name, 200)}*" for channel, name in defaults)
            blocks.append(section(f"*Default cards* (commands there may leave the card out):\n{lines}"))
        room = VIEW_BLOCKS - len(blocks)
        blocks += _cards(cards, figures or {}, room) if cards else [section(escape(NO_CARDS))]
    return View(type="home", blocks=blocks)
