"""The "Look up a member" modal (global shortcut) and the modals that answer it.

The answers are read-only: the member card is shown without its buttons, with the exact commands to act
instead. The buttons' flows answer in a channel (ephemeral replies, confirmation buttons), which a modal
opened from a shortcut does not have, and stacking a void confirmation on top of a modal would hide it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.coupontools.models import Card, Member
from bot.views import ids
from bot.views.cards import NO_CARDS
from bot.views.common import (
    OPTION_TEXT,
    SELECT_OPTIONS,
    code,
    context,
    escape,
    modal,
    one_line,
    plain,
    section,
    truncate,
)
from bot.views.help import COMMAND
from bot.views.member import member_blocks
from bot.views.members import choices_blocks

TITLE = "Look up a member"
QUERY_MAX = 200
"""As long as a member reference can be: an id, code, email or phone."""


def lookup_problems(card_id: str, query: str) -> dict[str, str]:
    """What is wrong with a submitted lookup form, by block id (empty when nothing is)."""
    problems = {}
    if not card_id:
        problems[ids.LOOKUP_CARD_BLOCK] = "Pick a card."
    if not query:
        problems[ids.LOOKUP_QUERY_BLOCK] = "Type an email, phone, code or member id."
    elif len(query) > QUERY_MAX:
        problems[ids.LOOKUP_QUERY_BLOCK] = "That is too long to be an email, phone, code or id."
    return problems


def _option(card: Card) -> Option:
    # The id goes last and is never cut, so two cards with one long name stay distinguishable.
    label = f"{truncate(one_line(card.display_name), OPTION_TEXT - 25)} · {card.id}"
    return Option(value=str(card.id), text=plain(label, OPTION_TEXT))


def lookup_modal(cards: Sequence[Card]) -> View:
    """Choose a card (up to 100 listed) and type an email, phone, code, id or name; submit "Look up"."""
    if not cards:
        return modal(TITLE, [section(escape(NO_CARDS))], callback_id=ids.LOOKUP_VIEW)
    unique = list({card.id: card for card in cards}.values())
    options = [_option(card) for card in unique[:SELECT_OPTIONS]]
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.LOOKUP_CARD_BLOCK,
            label=plain("Loyalty card", OPTION_TEXT),
            element=StaticSelectElement(
                action_id=ids.LOOKUP_CARD_ACTION,
                placeholder=plain("Choose a card", OPTION_TEXT),
                options=options,
                initial_option=options[0] if len(options) == 1 else None,
            ),
        ),
        InputBlock(
            block_id=ids.LOOKUP_QUERY_BLOCK,
            label=plain("Member", OPTION_TEXT),
            element=PlainTextInputElement(
                action_id=ids.LOOKUP_QUERY_ACTION,
                placeholder=plain("Email, phone, code, id or name", OPTION_TEXT),
                max_length=QUERY_MAX,
            ),
            hint=plain("An id, code, email or phone opens that member; a name lists who matches.", 150),
        ),
    ]
    if len(unique) > SELECT_OPTIONS:
        blocks.append(context(
            f"Only the first {SELECT_OPTIONS} of {len(unique)} cards are listed. For the others, use "
            f"{code(f'{COMMAND} member <card> <member>')}."
        ))
    return modal(TITLE, blocks, callback_id=ids.LOOKUP_VIEW, submit="Look up", close="Cancel")


def lookup_member_modal(card: Card, member: Member, *, now: datetime | None = None) -> View:
    """One member found: the member card, read-only, with the commands that act on it.

    private_metadata is the member's `<card_id>:<member_id>`.
    """
    ref = f"{card.id} {member.id}"
    commands = ", ".join(code(f"{COMMAND} {name} {ref}") for name in ("stamp", "redeem", "edit"))
    blocks = [
        *member_blocks(card, member, now=now, actions=False),
        context(f"To change this member, type {commands} in any channel; only you will see the answer."),
    ]
    return modal(
        "Member", blocks, callback_id=ids.LOOKUP_RESULT_VIEW, private_metadata=ids.member_ref(card.id, member.id),
    )


def lookup_choices_modal(card: Card, members: Sequence[Member], query: str) -> View:
    """Several members matched: pick one with its Open button (LOOKUP_OPEN), which should update this modal."""
    blocks = choices_blocks(card, members, query, action_id=ids.LOOKUP_OPEN)
    return modal(TITLE, blocks, callback_id=ids.LOOKUP_RESULT_VIEW)
