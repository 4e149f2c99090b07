"""The member form's rules: field checks, and which fields an edit sends."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import members as rules
from bot.coupontools.models import MEMBER_FIELDS, Member
from bot.phones import e164


def form(**values: str) -> dict[str, str]:
    return rules.clean(values)


def test_clean_strips_every_field_and_fills_the_missing_ones() -> None:
    cleaned = rules.clean({"first_name": "  Ada ", "email": None, "nonsense": "x"})
    assert cleaned["first_name"] == "Ada"
    assert cleaned["email"] == ""
    assert set(cleaned) == set(MEMBER_FIELDS)


@pytest.mark.parametrize("email", ["ada@example.com", "a.b+c@sub.example.org", "ada@xn--bcher-kva.ch"])
def test_real_email_addresses_pass(email: str) -> None:
    assert rules.field_problem("email", email) is None


@pytest.mark.parametrize("email", ["ada", "ada@example", "ada@@example.com", "ada @example.com", "@example.com",
                                   "ada@example."])
def test_malformed_email_addresses_are_refused(email: str) -> None:
    assert "email address" in (rules.field_problem("email", email) or "")


@pytest.mark.parametrize("phone", ["+32 2 555 01 01", "(02) 555-0101", "025550101", "123456", "0032 470 12 34 56"])
def test_phone_numbers_with_digits_spaces_plus_dashes_and_parentheses_pass(phone: str) -> None:
    assert rules.field_problem("phone", phone) is None


@pytest.mark.parametrize("phone", ["12345", "1" * 21, "call me", "02/555.01.01", "32+555010101",
                                   "+32 2 555 01 01 ext 3"])
def test_other_phone_numbers_are_refused(phone: str) -> None:
    assert "6 to 20 digits" in (rules.field_problem("phone", phone) or "")


@pytest.mark.parametrize("phone", ["+" + "1" * 20, "+999 555 0101", "+1 555 01", "0099 1234567"])
def test_impossible_international_numbers_are_refused(phone: str) -> None:
    assert "cannot exist" in (rules.field_problem("phone", phone) or "")


def test_phones_are_sent_as_e164_when_they_read_as_international_numbers() -> None:
    assert rules.new_member_fields({"phone": "+32 470 12 34 56", "first_name": "Ada"}) == {
        "phone": "+32470123456", "first_name": "Ada"}
    assert rules.changes({"phone": "0032 2 555 01 01"}, {})["phone"] == "+3225550101"
    assert rules.new_member_fields({"phone": "02 555 01 01"}) == {"phone": "02 555 01 01"}


@pytest.mark.parametrize(("name", "limit"), [("first_name", 100), ("city", 100), ("address", 255), ("zip", 20),
                                             ("custom_8", 255)])
def test_lengths_are_limited_per_field(name: str, limit: int) -> None:
    assert rules.field_problem(name, "x" * limit) is None
    assert rules.field_problem(name, "x" * (limit + 1)) == f"At most {limit} characters; this is {limit + 1}."


def test_a_new_member_needs_a_name_an_email_or_a_phone_reported_on_the_first_name() -> None:
    assert list(rules.problems(form(city="Ghent", custom_1="Tea"))) == ["first_name"]
    for name in rules.IDENTIFYING:
        assert rules.problems(form(**{name: "ada@example.com" if name == "email" else "123456"})) == {}


def test_every_bad_field_is_reported_at_once() -> None:
    found = rules.problems(form(first_name="A" * 101, email="nope", phone="12"))
    assert set(found) == {"first_name", "email", "phone"}


def test_an_edit_checks_only_the_fields_it_changes() -> None:
    values = form(first_name="Ada", phone="ask at the desk", city="Ghent")
    assert rules.problems(values, check=["city"]) == {}
    assert list(rules.problems(values, check=["phone"])) == ["phone"]


def test_an_edit_that_empties_every_identifying_field_is_refused() -> None:
    assert list(rules.problems(form(city="Ghent"), check=["first_name"])) == ["first_name"]
    # A member who never had any may still get other fields fixed.
    assert rules.problems(form(city="Ghent"), check=["city"]) == {}


ADA = Member(id=1, code="ada", first_name="Ada", last_name="Lovelace", email="ada@example.com", custom_1="Tea")


def test_untouched_fields_are_not_changes() -> None:
    assert rules.changes(rules.clean(ADA.fields()), rules.prefill(ADA)[1]) == {}


def test_only_the_changed_field_is_sent() -> None:
    values = rules.clean({**ADA.fields(), "email": "ada@lovelace.org"})
    assert rules.changes(values, rules.prefill(ADA)[1]) == {"email": "ada@lovelace.org"}


def test_an_emptied_field_is_sent_as_an_empty_string_and_a_filled_one_as_itself() -> None:
    values = rules.clean({**ADA.fields(), "custom_1": "", "city": "London"})
    assert rules.changes(values, rules.prefill(ADA)[1]) == {"custom_1": "", "city": "London"}


def test_surrounding_spaces_are_not_a_change() -> None:
    spaced = Member(id=1, code="x", first_name=" Ada ")
    assert rules.changes(rules.clean({"first_name": "Ada"}), rules.prefill(spaced)[1]) == {}


def test_fingerprints_do_not_hold_the_values() -> None:
    shown = rules.prefill(ADA)[1]
    assert set(shown) == {"first_name", "last_name", "email", "custom_1"}
    assert not any("ada" in digest.lower() or "@" in digest for digest in shown.values())


def test_a_value_too_long_to_prefill_is_left_out_and_an_empty_field_keeps_it() -> None:
    long = Member(id=1, code="x", first_name="Ada", custom_2="x" * (rules.PREFILL_MAX + 1))
    values, shown = rules.prefill(long)
    assert values == {"first_name": "Ada"}
    assert rules.changes(rules.clean(values), shown) == {}
    assert rules.changes(rules.clean({**values, "custom_2": "short"}), shown) == {"custom_2": "short"}


def test_a_new_member_sends_only_the_filled_fields() -> None:
    assert rules.new_member_fields(form(first_name="Ada", city="")) == {"first_name": "Ada"}


@given(st.dictionaries(st.sampled_from(MEMBER_FIELDS), st.text(max_size=300)),
       st.dictionaries(st.sampled_from(MEMBER_FIELDS), st.text(max_size=300)))
def test_changes_are_exactly_the_fields_whose_cleaned_value_differs(before: dict, after: dict) -> None:
    member = Member(id=1, code="x", **before)
    values = rules.clean(after)
    old = rules.clean(member.fields())
    assert rules.changes(values, rules.prefill(member)[1]) == {
        name: values[name] for name in MEMBER_FIELDS if values[name] != old[name]
    }


@given(st.sampled_from(MEMBER_FIELDS), st.text(max_size=400), st.sampled_from([None, "BE", "US", "NL"]))
def test_field_problem_never_raises_and_answers_in_words(name: str, value: str, region: str | None) -> None:
    problem = rules.field_problem(name, value, region)
    assert problem is None or problem.endswith(".")
    if name == "phone" and problem is None and value.strip():
        # With a region every phone the form accepts is stored as E.164; without one, when it reads as a number.
        stored = rules.stored_phone(value.strip(), region)
        assert stored.startswith("+") if region else stored in {value.strip(), e164(value.strip())}
