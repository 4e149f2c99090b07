"""`/loyalty members`: a page of a member search with Previous/Next, and the pick-one list for ambiguous lookups."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from slack_sdk.models.blocks import ActionsBlock, Block, SectionBlock

from bot.coupontools.models import Card, Member
from bot.views import ids
from bot.views.common import (
    BUTTON_VALUE,
    MESSAGE_BLOCKS,
    Message,
    button,
    code,
    context,
    fallback,
    format_date,
    header,
    inline,
    plural,
    section,
)

QUERY_MAX = 500
"""The longest query a page button remembers; the encoded state stays far below Slack's 2,000 characters."""
MAX_PAGE = 100_000
MAX_ID = 10**18
CHOICES_MAX = 20
"""How many matches an ambiguous lookup lists before asking for a more exact value."""

_VERSION = "m1"
# Canonical numbers only (no leading zeros), so a value decodes only if `encode` could have written it.
_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}")


@dataclass(frozen=True)
class PageState:
    """Where a member search stands; carried in the Previous/Next buttons' value."""

    card_id: int
    query: str = ""
    include_voided: bool = False
    page: int = 1

    def __post_init__(self) -> None:
        # Bounded numbers and a cut query keep every encoded state within a button value.
        if not 0 <= self.card_id < MAX_ID or not 1 <= self.page <= MAX_PAGE:
            raise ValueError(f"no such page state: card {self.card_id}, page {self.page}")

    def encode(self) -> str:
        """A compact button value, `m1|<card>|<page>|<0/1 voided>|<query>`; the query last, so it needs no quoting."""
        return f"{_VERSION}|{self.card_id}|{self.page}|{int(self.include_voided)}|{self.query[:QUERY_MAX]}"

    @classmethod
    def decode(cls, value: object) -> PageState | None:
        """The state a button carried, or None for anything `encode` did not produce."""
        if not isinstance(value, str) or len(value) > BUTTON_VALUE:
            return None
        parts = value.split("|", 4)
        if len(parts) != 5:
            return None
        version, card_id, page, voided, query = parts
        if version != _VERSION or voided not in ("0", "1") or len(query) > QUERY_MAX:
            return None
        if not (_NUMBER.fullmatch(card_id) and _NUMBER.fullmatch(page)):
            return None
        if not 1 <= int(page) <= MAX_PAGE:
            return None
        return cls(card_id=int(card_id), query=query, include_voided=voided == "1", page=int(page))

    def at_page(self, page: int) -> PageState:
        """The same search at another page."""
        return replace(self, page=page)


def member_row(card: Card, member: Member, *, action_id: str = ids.MEMBER_OPEN) -> SectionBlock:
    """One member on one line: name, voided marker, id, code, stamps, since when; an Open button."""
    title = f"*{inline(member.full_name, 300)}*"
    if member.is_voided:
        title += "  :no_entry: _voided_"
    details = [f"id {member.id}"]
    if member.code:
        details.append(f"code {code(member.code, 100)}")
    if member.stamps is not None:
        details.append(plural(member.stamps, "stamp"))
    if member.created_at:
        details.append(f"since {format_date(member.created_at)}")
    return section(
        f"{title}\n" + " · ".join(details),
        accessory=button("Open", action_id, ids.member_ref(card.id, member.id)),
    )


def _rows(card: Card, members: Sequence[Member], room: int, more: str, action_id: str) -> list[Block]:
    """Rows for as many members as `room` allows; the last block says what was left out."""
    if len(members) <= room:
        return [member_row(card, member, action_id=action_id) for member in members]
    shown = room - 1
    return [
        *(member_row(card, member, action_id=action_id) for member in members[:shown]),
        context(f"…and {plural(len(members) - shown, 'more member')}. {more}"),
    ]


def _searched(state: PageState) -> str:
    return f"matching {code(state.query, 200)}" if state.query.strip() else "all members"


def members_page_message(card: Card, members: Sequence[Member], state: PageState, *, has_next: bool) -> Message:
    """One page of a member search: a row and an Open button per member, and Previous/Next buttons."""
    name = inline(card.display_name, 300)
    title = f"Members of {card.display_name}"
    if state.query.strip():
        title += f" matching “{state.query}”"
    summary = [f"page {state.page}"] if state.query.strip() else ["all members", f"page {state.page}"]
    if state.include_voided:
        summary.append("voided cards included")
    blocks: list[Block] = [header(title), context(" · ".join(summary))]

    navigation = []
    if state.page > 1:
        navigation.append(button("Previous", ids.MEMBERS_PAGE_PREVIOUS, state.at_page(state.page - 1).encode()))
    if has_next and state.page < MAX_PAGE:
        navigation.append(button("Next", ids.MEMBERS_PAGE_NEXT, state.at_page(state.page + 1).encode()))

    if members:
        room = MESSAGE_BLOCKS - len(blocks) - (1 if navigation else 0)
        blocks += _rows(card, members, room, "Search with more words to narrow the list.", ids.MEMBER_OPEN)
    elif state.page > 1:
        blocks.append(section(f"There are no more members on page {state.page}. Go back with *Previous*."))
    else:
        tip = "" if state.include_voided else f", or add {code('--voided')} to include voided cards"
        blocks.append(section(
            f"No members of *{name}* match {code(state.query, 200)}. "
            f"Check the spelling or search with fewer words{tip}."
            if state.query.strip()
            else f"*{name}* has no members yet{tip}. Add one with {code(f'/loyalty add {card.id}')}."
        ))
    if navigation:
        blocks.append(ActionsBlock(elements=navigation))
    count = plural(len(members), "member")
    return Message(text=fallback(f"{count} of {name}, {_searched(state)}, page {state.page}"), blocks=blocks)


def choices_blocks(card: Card, members: Sequence[Member], query: str, *, action_id: str) -> list[Block]:
    """Several members matched `query`: the list to pick from, capped at CHOICES_MAX."""
    name = inline(card.display_name, 300)
    verb = "matches" if len(members) == 1 else "match"
    intro = section(
        f":mag: {plural(len(members), 'member')} of *{name}* {verb} {code(query, 200)}. "
        "Pick one, or use the member's id or code, which are unique."
    )
    more = "Use a more exact value, such as the member's id or code."
    return [intro, *_rows(card, members, CHOICES_MAX + 1, more, action_id)]


PAGE_OUT_OF_DATE = "That button is out of date. Run `/loyalty members` again."
CARDS_OUT_OF_DATE = "That button is out of date. Run `/loyalty cards` again."


def several_members_text(count: int, ref: str) -> str:
    """Said in the modal when a command named several members: the pick-list went to the conversation."""
    return (f"{count} members match `{ref}`. I listed them in the conversation: "
            "open the one you mean and use its buttons.")


def member_choices_message(card: Card, members: Sequence[Member], query: str) -> Message:
    """Several members matched a lookup: a list with Open buttons, saying when there are more than it shows."""
    blocks = choices_blocks(card, members, query, action_id=ids.MEMBER_OPEN)
    text = f"{plural(len(members), 'member')} of {inline(card.display_name, 300)} match {inline(query, 200)}"
    return Message(text=fallback(text), blocks=blocks)
