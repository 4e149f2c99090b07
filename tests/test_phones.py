"""Phone numbers in any spelling read as one E.164 number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import members as rules
from bot.config import Settings
from bot.coupontools import Member
from bot.lookup import is_exact_match
from bot.phones import digits, e164, same_number


@pytest.mark.parametrize("typed", ["+32 2 555 01 01", "003225550101", "+32 (2) 555-01-01", "+3225550101"])
def test_international_spellings_read_as_one_number(typed: str) -> None:
    assert e164(typed) == "+3225550101"


def test_national_spellings_need_the_region() -> None:
    assert e164("02 555 01 01") is None
    assert e164("02 555 01 01", "BE") == "+3225550101"
    assert e164("0470 12 34 56", "BE") == "+32470123456"


def test_a_member_stored_with_spaces_matches_every_spelling() -> None:
    member = Member(id=7, phone="+32 470 12 34 56")
    for typed in ("+32470123456", "0032470123456", "+32 470 123 456"):
        assert is_exact_match(member, typed)
    assert is_exact_match(member, "0470 12 34 56", "BE")
    assert not is_exact_match(member, "+32470123457")


@given(st.text(max_size=40))
def test_any_text_reads_as_a_number_or_none(text: str) -> None:
    number = e164(text)
    assert number is None or (number.startswith("+") and number[1:].isdigit())
    assert same_number(text, text) == bool(number or digits(text))


def test_the_phone_region_setting_is_checked() -> None:
    assert Settings(loyalty_phone_region="be").loyalty_phone_region == "BE"
    assert Settings(loyalty_phone_region="").loyalty_phone_region is None
    with pytest.raises(ValueError, match="region"):
        Settings(loyalty_phone_region="Belgium")


@given(st.text(max_size=40))
def test_any_phone_typed_in_a_form_is_refused_in_words_or_stored_as_typed_or_e164(text: str) -> None:
    value = text.strip()
    problem = rules.field_problem("phone", value) if value else None
    stored = rules.stored_phone(value)
    assert problem is None or problem.strip()
    assert stored in (value, e164(value))
