"""`/loyalty cards`: the loyalty cards, each with a button to list its members."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, SectionBlock

from bot.coupontools.models import Card
from bot.views import ids
from bot.views.common import (
    MESSAGE_BLOCKS,
    Message,
    button,
    code,
    context,
    escape,
    fallback,
    header,
    inline,
    notice,
    plural,
    section,
)

NO_CARDS = (
    "There are no loyalty cards on this Coupontools account yet. "
    "Create one in the Coupontools dashboard, then run `/loyalty cards` again."
)

STALE_CHOICE = "That button is out of date. Type the command again."


def card_block(card: Card) -> SectionBlock:
    """One card: name, type, code, domain and id, with a Members button (value: the card id)."""
    details = [inline(card.type.capitalize(), 50) if card.type else "Loyalty card"]
    if card.code:
        details.append(f"code {code(card.code, 100)}")
    details.append(f"id {card.id}")
    if card.domain:
        details.append(inline(card.domain, 200))
    return section(
        f"*{inline(card.display_name, 500)}*\n" + " · ".join(details),
        accessory=button("Members", ids.CARDS_MEMBERS, str(card.id)),
    )


def card_blocks(cards: Sequence[Card], room: int) -> list[Block]:
    """As many card blocks as `room` allows, the last one saying how many were left out."""
    if len(cards) <= room:
        return [card_block(card) for card in cards]
    shown = room - 1
    rest = len(cards) - shown
    return [
        *(card_block(card) for card in cards[:shown]),
        context(
            f"…and {plural(rest, 'more card')}. "
            f"Use {code('/loyalty members <card>')} with a card's id, code or name to reach any of them."
        ),
    ]


def cards_message(cards: Sequence[Card]) -> Message:
    """The loyalty cards with a Members button each, within Slack's 50 blocks; a friendly note when none."""
    if not cards:
        return notice(NO_CARDS, emoji="card_index")
    blocks: list[Block] = [header(f"Loyalty cards ({len(cards)})")]
    footer = context(
        f"Search a card's members with {code('/loyalty members <card> <words>')}, "
        f"or see one with {code('/loyalty member <card> <member>')}."
    )
    blocks += card_blocks(cards, MESSAGE_BLOCKS - len(blocks) - 1)
    blocks.append(footer)
    return Message(text=fallback(f"{plural(len(cards), 'loyalty card')}"), blocks=blocks)


def card_choice_message(problem: str, cards: Sequence[Card], values: Sequence[str | None]) -> Message:
    """A card problem with a button per card that runs the command with it (`values`: the buttons' values;
    None when the command is too long to carry, then the card is listed without a button)."""
    blocks: list[Block] = [section(f":thinking_face: {escape(problem)}")]
    for card, value in list(zip(cards, values, strict=True))[: MESSAGE_BLOCKS - 1]:
        label = f"*{inline(card.display_name, 500)}* · id {card.id}"
        blocks.append(section(label, accessory=button("Use this card", ids.COMMAND_RUN, value) if value else None))
    return Message(text=fallback(escape(problem)), blocks=blocks)


def default_card_notice(card_name: str | None, *, changed: bool = False) -> Message:
    """`use`: the channel's default card (just set, when `changed`), or that it has none."""
    if card_name is None:
        return notice("This channel has no default card: commands here name their card. "
                      "Set one with `/loyalty use <card>`.", emoji="pushpin")
    lead = "Done: this channel's default card is now" if changed else "This channel's default card is"
    return notice(f"{lead} *{card_name}*. Commands here may leave the card out, like "
                  "`/loyalty stamp ada@example.com`. Remove it with `/loyalty use --clear`.", emoji="pushpin")


def default_cleared_notice(had: bool) -> Message:
    """`use --clear`: whether there was a default to remove."""
    if had:
        return notice("Done: this channel has no default card any more; commands here name their card again.",
                      emoji="pushpin")
    return notice("This channel had no default card: nothing to clear.", emoji="pushpin")


NO_CHANNEL = "A default card belongs to a channel: type `/loyalty use` in the channel it is for."
