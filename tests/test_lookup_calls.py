"""How many API calls finding a card and a member costs, counted on a fake client: one search per member."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cardnames import resolve
from bot.commands import card_words, parse
from bot.coupontools import Card, Member, NotFound
from bot.lookup import Lookup

CARDS = [Card(id=12, name="Coffee Club", code="cof3e1", type="stamp"), Card(id=14, name="VIP", type="membership")]
MEMBERS = [
    Member(id=1, first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="+3225550101"),
    Member(id=2, first_name="Grace", last_name="Hopper", email="grace@example.com", phone="+32 470 12 34 56"),
]


class CountingClient:
    """The reads a lookup may make, answered from memory and counted."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def list_cards(self) -> list[Card]:
        self.calls["list_cards"] += 1
        return CARDS

    def get_member(self, _card_id: int, member_id: int) -> Member:
        self.calls["get_member"] += 1
        for member in MEMBERS:
            if member.id == member_id:
                return member
        raise NotFound("no such member")

    def search_members(self, _card_id: int, keyword: str | None, **_options: Any) -> list[Member]:
        self.calls["search_members"] += 1
        wanted = (keyword or "").casefold()
        return [m for m in MEMBERS if any(wanted in (value or "").casefold() for value in (
            m.first_name, m.last_name, m.email, m.phone, f"{m.first_name} {m.last_name}"))]


    def iter_members(self, card_id: int, keyword: str | None, **options: Any) -> Iterator[Member]:
        """Every partial match, page by page: here one short page, so one search."""
        yield from self.search_members(card_id, keyword, **options)


@pytest.fixture
def client() -> CountingClient:
    return CountingClient()


def test_a_hundred_card_names_cost_one_card_list(client: CountingClient) -> None:
    lookup = Lookup(client)  # type: ignore[arg-type]
    for _ in range(100):
        text = "stamp Coffee Club ada@example.com"
        command = parse(text, card=resolve(lookup.cards(), card_words(text)))
        lookup.card(command.card)
    assert client.calls == Counter({"list_cards": 1})


@pytest.mark.parametrize(("typed", "member_id"), [
    ("+32 2 555 01 01", 1), ("003225550101", 1), ("Ada Lovelace", 1), ("grace hopper", 2), ("ada@example.com", 1),
])
def test_a_member_by_phone_name_or_email_costs_one_search(client: CountingClient, typed: str, member_id: int) -> None:
    lookup = Lookup(client)  # type: ignore[arg-type]
    [found] = lookup.find_members(CARDS[0], typed)
    assert found.id == member_id
    assert client.calls == Counter({"search_members": 1})


def test_a_phone_stored_in_another_spelling_costs_a_second_search_only_then(client: CountingClient) -> None:
    lookup = Lookup(client)  # type: ignore[arg-type]
    [found] = lookup.find_members(CARDS[0], "+32 470 12 34 56")
    assert found.id == 2
    assert client.calls == Counter({"search_members": 2})
