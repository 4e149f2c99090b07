"""Which leading words of a command name its card: the longest run that is a card's id, code or name."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.commands import CardWords
from bot.coupontools import Card
from bot.lookup import LookupProblem, SeveralCards, match_card

_NEAR = 0.8
"""How alike a typed name and a card's name must be for "Did you mean…?" (difflib's ratio)."""


class CardChoice(LookupProblem):
    """The first `count` arguments could mean any of `cards` (one: a near miss); the user picks."""

    def __init__(self, message: str, cards: Sequence[Card], count: int) -> None:
        super().__init__(message)
        self.cards = list(cards)
        self.count = count


def resolve(cards: Sequence[Card], words: Sequence[str], default: int | None = None) -> CardWords:
    """The longest run of `words` that names a card; CardChoice when that name is shared or for a near miss;
    else the channel's `default` card, put first (count 0); LookupProblem when there is none."""
    for count in range(len(words), 0, -1):
        try:
            card = match_card(cards, " ".join(words[:count]))
        except SeveralCards as many:
            raise CardChoice(many.message, many.cards, count) from None
        if card is not None:
            return CardWords(count, str(card.id))
    near = _nearest(cards, words)
    if near is not None:
        count, card = near
        typed = " ".join(words[:count])
        raise CardChoice(f"I can't find a loyalty card `{typed}`. Did you mean *{card.display_name}*?", [card], count)
    if default is not None:
        return CardWords(0, str(default))
    raise LookupProblem(
        f"I can't find a loyalty card `{words[0] if words else ''}`. "
        "Try `/loyalty cards` to see their names and ids."
    )


def _nearest(cards: Sequence[Card], words: Sequence[str]) -> tuple[int, Card] | None:
    """The card whose name is most like some leading run of `words`, if any is alike enough."""
    best: tuple[float, int, Card] | None = None
    for count in range(len(words), 0, -1):
        typed = " ".join(words[:count]).lower()
        for card in cards:
            if not card.name:
                continue
            ratio = difflib.SequenceMatcher(None, typed, card.name.strip().lower()).ratio()
            if ratio >= _NEAR and (best is None or ratio > best[0]):
                best = (ratio, count, card)
    return (best[1], best[2]) if best else None
