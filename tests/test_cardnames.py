"""Card names as people type them: the longest run of words that is a card, near misses, shared names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cardnames import CardChoice, resolve
from bot.commands import DEFAULTABLE, SUBCOMMANDS, CardWords, CommandError, MemberRef, Stamp, card_words, parse
from bot.coupontools import Card
from bot.lookup import LookupProblem

COFFEE = Card(id=12, name="Coffee Club", code="cof3e1", type="stamp")
COFFEE_PLUS = Card(id=13, name="Coffee Club Plus", code="cofplus", type="stamp")
VIP = Card(id=14, name="VIP", code="vip", type="membership")
CARDS = [COFFEE, COFFEE_PLUS, VIP]


def resolved(text: str, cards: list[Card] = CARDS) -> object:
    return parse(text, card=resolve(cards, card_words(text)))


def test_unquoted_card_name_is_the_longest_run_of_words_that_names_a_card() -> None:
    assert resolved("stamp Coffee Club ada@example.com") == Stamp("12", "ada@example.com")
    assert resolved("stamp coffee club plus ada@example.com 3") == Stamp("13", "ada@example.com", 3)
    assert resolved("member COFFEE CLUB Ada") == MemberRef("member", "12", "Ada")


def test_a_quoted_name_a_code_and_an_id_name_the_card_as_before() -> None:
    assert resolved('stamp "coffee club" 1') == Stamp("12", "1")
    assert resolved("stamp cof3e1 1 2") == Stamp("12", "1", 2)
    assert parse("stamp 12 1") == Stamp("12", "1")


def test_a_near_miss_suggests_the_card_and_how_many_words_it_replaces() -> None:
    with pytest.raises(CardChoice) as raised:
        resolved("stamp Cofee Club ada@example.com")
    assert "Did you mean *Coffee Club*?" in raised.value.message
    assert (raised.value.cards, raised.value.count) == ([COFFEE], 2)
    assert parse("stamp Cofee Club ada@example.com", card=CardWords(2, "12")) == Stamp("12", "ada@example.com")


def test_a_quoted_near_miss_is_suggested_too() -> None:
    with pytest.raises(CardChoice, match="Coffee Club"):
        resolved('members "Cofee Club" ada')


def test_a_shared_name_lists_every_card_with_it() -> None:
    twin = Card(id=99, name="coffee club", code="twin", type="stamp")
    with pytest.raises(CardChoice) as raised:
        resolved("stamp Coffee Club ada", [*CARDS, twin])
    assert [card.id for card in raised.value.cards] == [12, 99]
    assert raised.value.count == 2


def test_an_unknown_card_is_reported_as_the_card_not_as_another_argument() -> None:
    with pytest.raises(LookupProblem, match="can't find a loyalty card `Tea`") as raised:
        resolved("stamp Tea Room ada@example.com")
    assert not isinstance(raised.value, CardChoice)


def test_words_after_an_option_or_a_quote_are_never_the_card() -> None:
    assert card_words('push Coffee Club --to ada Hi') == ["Coffee", "Club"]
    assert card_words('member Coffee "Ada Lovelace"') == ["Coffee"]
    assert card_words("cards") == []
    assert card_words("help stamp") == []
    assert card_words('stamp "open') == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SUBCOMMANDS), st.lists(st.one_of(
    st.text(min_size=1, max_size=20), st.sampled_from(["Coffee", "Club", "coffee club", "Cofee", "--to", '"', "VIP"]),
), max_size=6))
def test_any_words_resolve_to_a_card_or_a_lookup_problem_and_parse_or_refuse_cleanly(
        name: str, words: list[str]) -> None:
    text = " ".join([name, *words])
    try:
        card = resolve(CARDS, card_words(text)) if card_words(text) else None
        parse(text, card=card)
    except (CommandError, LookupProblem) as exc:
        message = exc.message
    else:
        message = "parsed"
    assert message


def test_with_a_channel_default_words_that_are_no_card_are_the_member() -> None:
    assert resolved_default("stamp ada@example.com") == Stamp("12", "ada@example.com")
    assert resolved_default("stamp 2 3") == Stamp("12", "2", 3)
    assert resolved_default("stamp VIP 2") == Stamp("14", "2")
    with pytest.raises(CardChoice):  # a near miss of a card name is still asked about
        resolved_default("stamp Cofee Club 2")


def resolved_default(text: str) -> object:
    return parse(text, card=resolve(CARDS, card_words(text), default=12))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(DEFAULTABLE)), st.lists(st.one_of(
    st.text(min_size=1, max_size=20), st.sampled_from(["Coffee Club", "cofee", "VIP", "--voided", "7", "'"]),
), max_size=5))
def test_with_a_default_card_any_words_parse_or_refuse_cleanly(name: str, words: list[str]) -> None:
    text = " ".join([name, *words])
    try:
        parse(text, card=resolve(CARDS, card_words(text), default=12))
    except (CommandError, LookupProblem) as exc:
        message = exc.message
    else:
        message = "parsed"
    assert message
