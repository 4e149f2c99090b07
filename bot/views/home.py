"""The app's Home tab: what it does, how to use `/loyalty`, the user's role, and the cards."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot.coupontools.models import Card
from bot.views.approvals import channel_link
from bot.views.cards import NO_CARDS, card_blocks
from bot.views.common import VIEW_BLOCKS, code, escape, header, inline, section
from bot.views.help import COMMAND, USAGES

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
CHANGE_EXAMPLES = ("stamp",)

_ABOUT = (
    "I run your Coupontools loyalty programmes from Slack: look up members, add stamps, redeem rewards, "
    "and message members. Anything that cannot be undone asks for a confirmation first, "
    "and answers about members are shown only to you."
)


def home_view(cards: Sequence[Card], *, role: str, defaults: Sequence[tuple[str, str]] = ()) -> View:
    """The Home tab; an unknown `role` counts as no access, and then no cards are listed. `defaults`: the
    channels with a default card (`use`), and its name."""
    known = role if role in ROLES else "no access"
    names = LOOKUP_EXAMPLES + (CHANGE_EXAMPLES if known in ("operator", "admin") else ()) + ("help",)
    examples = "\n".join(f"• {code(f'{COMMAND} {USAGES[name].example}')}" for name in names)
    blocks: list[Block] = [
        header("Loyalty assistant"),
        section(_ABOUT),
        section(f"*Your role:* {escape(known)} — {ROLES[known]}"),
        section(f"*Try it* in any channel or DM:\n{examples}\nor use the *Look up a member* shortcut."),
    ]
    if known != "no access":
        blocks += [DividerBlock(), header(f"Loyalty cards ({len(cards)})")]
        if defaults:
            lines = "\n".join(f"• {channel_link(channel)}: *{inline(name, 200)}*" for channel, name in defaults)
            blocks.append(section(f"*Default cards* (commands there may leave the card out):\n{lines}"))
        blocks += card_blocks(cards, VIEW_BLOCKS - len(blocks)) if cards else [section(escape(NO_CARDS))]
    return View(type="home", blocks=blocks)
