"""How many API calls finding a card and a member costs, counted on a fake client: one search per member."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cardnames import resolve
from bot.commands import card_words, parse
from bot.coupontools import Card, Member, NotFound
from bot.imports.check import check
from bot.imports.csvfile import Table
from bot.imports.existing import SEARCH_AT_MOST, find_existing
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


    def iter_members(self, card_id: int, keyword: str | None = None, **options: Any) -> Iterator[Member]:
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


def test_a_phone_stored_in_its_international_layout_is_found_by_its_e164_spelling(client: CountingClient) -> None:
    lookup = Lookup(client)  # type: ignore[arg-type]
    [found] = lookup.find_members(CARDS[0], "+32470123456")
    assert found.id == 2
    assert client.calls == Counter({"search_members": 2})  # E.164 (also as typed), then "+32 470 12 34 56"


def test_a_phone_stored_in_another_spelling_costs_a_second_search_only_then(client: CountingClient) -> None:
    lookup = Lookup(client)  # type: ignore[arg-type]
    [found] = lookup.find_members(CARDS[0], "+32 470 12 34 56")
    assert found.id == 2
    assert client.calls == Counter({"search_members": 2})


EMAILS = st.sampled_from(["", "ada@example.com", "ADA@Example.com", "grace@example.com", "new@example.com",
                          *(f"n{n}@example.com" for n in range(30))])
PHONES = st.sampled_from(["", "+3225550101", "0032 2 555 01 01", "+32470123456", "+32 470 12 34 56",
                          "+32 470 99 99 99", *(f"+32 471 00 00 {n:02d}" for n in range(30))])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(EMAILS, PHONES), min_size=1, max_size=60))
def test_an_imports_rows_are_set_aside_exactly_when_a_member_has_their_email_or_phone(
        rows: list[tuple[str, str]]) -> None:
    client = CountingClient()
    table = Table(fields=("first_name", "email", "phone"), positions=(0, 1, 2), columns=3,
                  rows=[(line, ("Zed", email, phone), 0) for line, (email, phone) in enumerate(rows, start=2)])
    checked = check(table)
    good = {row[0]: row for row in checked.ok}
    keys = {value for _line, cells, _extra in checked.ok for value in cells[1:] if value}
    found = find_existing(Lookup(client), CARDS[0], checked)  # type: ignore[arg-type]
    taken = {"ada@example.com", "grace@example.com", "+3225550101", "+32470123456"}
    expected = {line for line, (_name, email, phone), _extra in good.values()
                if email.casefold() in taken or phone.replace(" ", "").replace("0032", "+32", 1) in taken}
    assert {duplicate.line for duplicate in found} == expected
    assert all(duplicate.row is good[duplicate.line] for duplicate in found)
    if len(keys) <= SEARCH_AT_MOST:  # exact searches per value: one, up to four for a phone in another spelling
        assert client.calls["search_members"] <= 4 * len(keys)
    else:  # the card read once, whatever the number of rows
        assert client.calls["search_members"] == 1
    checked.set_aside(found)
    assert len(checked.ok) + len(checked.duplicates) + checked.problem_rows == len(rows)
