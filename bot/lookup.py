"""Finding the card and the member a user means, from an id, a code, a name, an email or a phone number."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from bot.coupontools import Card, CoupontoolsError, Member, NotFound
from bot.coupontools.client import LoyaltyClient
from bot.errors import UserError
from bot.phones import e164, looks_like_phone, same_number, spellings

MEMBERS_PER_PAGE = 10
_CARDS_TTL = 30.0
_MAX_ID_DIGITS = 9  # longer runs of digits are phone numbers, not member ids


class LookupProblem(UserError):
    """The card or member could not be pinned down; the message says what to type instead."""


class SeveralMembers(LookupProblem):
    """More than one member matched: the user picks from `members`."""

    def __init__(self, card: Card, query: str, members: Sequence[Member]) -> None:
        super().__init__(f"{len(members)} members of {card.display_name} match `{query}`.")
        self.card = card
        self.query = query
        self.members = list(members)


class SeveralCards(LookupProblem):
    """More than one card has the name typed: the user picks one of `cards`."""

    def __init__(self, typed: str, cards: Sequence[Card]) -> None:
        ids = ", ".join(str(card.id) for card in cards)
        super().__init__(f"Several cards are called `{typed}` (ids {ids}): pick one, or use its id.")
        self.typed = typed
        self.cards = list(cards)


def match_card(cards: Sequence[Card], ref: str) -> Card | None:
    """The card whose id, code or name (any case) is `ref`; SeveralCards when more than one has that name."""
    q = ref.strip()
    for card in cards:
        if q == str(card.id) or (card.code and q.lower() == card.code.lower()):
            return card
    named = [card for card in cards if card.name and card.name.strip().lower() == q.lower()]
    if len(named) > 1:
        raise SeveralCards(ref, named)
    return named[0] if named else None


def is_exact_match(member: Member, query: str, region: str | None = None) -> bool:
    """Whether `query` is this member's id, code, email or phone (any spelling of the number)."""
    q = query.strip()
    if q == str(member.id) or (member.code and q.lower() == member.code.lower()):
        return True
    if member.email and q.lower() == member.email.strip().lower():
        return True
    return bool(member.phone and looks_like_phone(q) and same_number(q, member.phone, region))


def is_name(text: str) -> bool:
    """Whether `text` can only be a name: not an id, email or phone."""
    q = text.strip()
    return bool(q) and "@" not in q and not q.isdigit() and not looks_like_phone(q)


def has_name(member: Member, name: str) -> bool:
    """Whether `name` is the member's full, first or last name (any case)."""
    wanted = " ".join(name.split()).casefold()
    first, last = (member.first_name or "").strip(), (member.last_name or "").strip()
    return wanted in {" ".join(f"{first} {last}".split()).casefold(), first.casefold(), last.casefold()} - {""}


class Lookup:
    """Resolves what users type into cards and members, through the loyalty client."""

    def __init__(self, client: LoyaltyClient, *, phone_region: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.phone_region = phone_region
        self._clock = clock
        self._cards: tuple[float, list[Card]] | None = None
        self._lock = threading.Lock()

    def cards(self, *, fresh: bool = False) -> list[Card]:
        """The loyalty cards, cached briefly in this process: every command names one."""
        with self._lock:
            cached = self._cards
        if cached and not fresh and cached[0] > self._clock():
            return cached[1]
        cards = self.client.list_cards()
        with self._lock:
            self._cards = (self._clock() + _CARDS_TTL, cards)
        return cards

    def forget_cards(self) -> None:
        with self._lock:
            self._cards = None

    def card(self, ref: str) -> Card:
        """The card whose id, code or exact name (any case) is `ref`."""
        for fresh in (False, True):
            found = match_card(self.cards(fresh=fresh), ref)
            if found:
                return found
        raise LookupProblem(f"I can't find a loyalty card `{ref}`. Try `/loyalty cards` to see their names and ids.")

    def card_name(self, card_id: int) -> str:
        """The card's name for display, or its id when the card can no longer be read."""
        try:
            return self.card(str(card_id)).display_name
        except (LookupProblem, CoupontoolsError):
            return f"card {card_id}"

    def find_members(self, card: Card, ref: str) -> list[Member]:
        """Every member of the card whose id, code, email or phone is exactly `ref`, else, for a name, whose
        name it is (voided ones included); one search, two for a phone stored in another spelling."""
        q = ref.strip()
        found: dict[int, Member] = {}
        if q.isdigit() and len(q) <= _MAX_ID_DIGITS:
            try:
                member = self.client.get_member(card.id, int(q))
                found[member.id] = member
            except NotFound:
                pass
        if is_name(q):
            # A code or a name: one search, every partial match read (a common name may fill more than a page).
            partial = list(self.client.iter_members(card.id, q, include_voided=True))
            return ([m for m in partial if is_exact_match(m, q, self.phone_region)]
                    or [m for m in partial if has_name(m, q)])
        # The API's exact search first (one page, however many members merely contain the keyword), by E.164 as
        # this app stores phones, then as typed, then in the usual layouts of the number (for members created
        # elsewhere); each only when the ones before found nobody. Its idea of exact may differ from ours: then
        # every partial match of what was typed is read.
        number = e164(q, self.phone_region) if looks_like_phone(q) else None
        keywords = [number, q, *spellings(number)[1:]] if number else [q]
        for keyword in dict.fromkeys(keywords):
            for member in self.client.search_members(card.id, keyword, strict=True, include_voided=True, limit=50):
                if is_exact_match(member, q, self.phone_region):
                    found.setdefault(member.id, member)
            if found:
                return list(found.values())
        for member in self.client.iter_members(card.id, q, include_voided=True):
            if is_exact_match(member, q, self.phone_region):
                found.setdefault(member.id, member)
        return list(found.values())

    def member(self, card: Card, ref: str) -> Member:
        """The one member `ref` names, freshly read; LookupProblem when none, SeveralMembers when many."""
        matches = self.find_members(card, ref)
        if not matches:
            raise LookupProblem(
                f"No member of {card.display_name} has the id, code, email, phone or name `{ref}`. "
                f"Search with `/loyalty members {card.id} <words>`."
            )
        if len(matches) > 1:
            raise SeveralMembers(card, ref, matches)
        return self.client.get_member(card.id, matches[0].id)

    def member_by_id(self, card_id: int, member_id: int) -> tuple[Card, Member]:
        """The card and member behind a button's value."""
        card = self.card(str(card_id))
        return card, self.client.get_member(card.id, member_id)

    def search(self, card: Card, words: str, *, include_voided: bool, page: int) -> tuple[list[Member], bool]:
        """One page of a member search, and whether a next page may exist."""
        members = self.client.search_members(
            card.id, words or None, include_voided=include_voided, page=page, limit=MEMBERS_PER_PAGE
        )
        return members, len(members) >= MEMBERS_PER_PAGE
