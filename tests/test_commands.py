"""The /loyalty parser: every subcommand, its errors, and no input that makes it raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import (
    SUBCOMMANDS,
    Audit,
    CardRef,
    Cards,
    CommandError,
    Copy,
    Help,
    MemberRef,
    Members,
    Push,
    Stamp,
    parse,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("", Help()),
    ("   ", Help()),
    ("help", Help()),
    ("HELP me please", Help()),
    ("cards", Cards()),
    ("copy 12", Copy("12")),
    ("copy 12 Summer   edition", Copy("12", "Summer   edition")),
    ('copy "Coffee Club" "Coffee Club 2"', Copy("Coffee Club", "Coffee Club 2")),
    ("members 12", Members("12")),
    ("members 12 ada lovelace --voided", Members("12", "ada lovelace", include_voided=True)),
    ("member 12 ada@example.com", MemberRef("member", "12", "ada@example.com")),
    ('member "Coffee Club" <mailto:ada@example.com|ada@example.com>',
     MemberRef("member", "Coffee Club", "ada@example.com")),
    ("member \u201cCoffee Club\u201d 7", MemberRef("member", "Coffee Club", "7")),
    ("add cof3e1", CardRef("add", "cof3e1")),
    ("import 12", CardRef("import", "12")),
    ("edit 12 7", MemberRef("edit", "12", "7")),
    ("stamp 12 7", Stamp("12", "7", 1)),
    ("stamp 12 7 3", Stamp("12", "7", 3)),
    ("redeem 12 7", MemberRef("redeem", "12", "7")),
    ("void 12 7", MemberRef("void", "12", "7")),
    ("delete 12 '+32 470 12 34 56'", MemberRef("delete", "12", "+32 470 12 34 56")),
    ("push 12 Double stamps   today!", Push("12", "Double stamps   today!")),
    ("push 12 --to 7,8,7 See you", Push("12", "See you", ("7", "8"))),
    ("push 12 Tom &amp; Jerry &lt;3", Push("12", "Tom & Jerry <3")),
    ("audit", Audit()),
    ("audit 12", Audit("12")),
])
def test_parses_each_subcommand(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "subcommand", "fragment"), [
    ("member 12", "member", "member is missing"),
    ("member", "member", "card is missing"),
    ("member 12 7 extra", "member", "didn't expect `extra`"),
    ("stamp 12 7 0", "stamp", "from 1 to 100"),
    ("stamp 12 7 101", "stamp", "from 1 to 100"),
    ("stamp 12 7 -1", "stamp", "whole number"),
    ("stamp 12 7 1.5", "stamp", "whole number"),
    ("stamp 12 7 ten", "stamp", "whole number"),
    ("copy 12 " + "x" * 51, "copy", "limit is 50"),
    ("push 12", "push", "message is empty"),
    ("push 12 --to 7", "push", "message is empty"),
    ("push 12 --to", "push", "list the members"),
    ("push 12 --to 7,,8 hi", "push", "empty entry"),
    ("push 12 --bcc 7 hi", "push", "--to"),
    ("members 12 --deleted", "members", "--voided"),
    ("void 12 --force", "void", "option"),
    ("member 12 " + "9" * 300, "member", "too long"),
    ('member "Coffee Club 7', "member", "not closed"),
    ('member "" 7', "member", "empty"),
])
def test_bad_input_is_refused_with_a_message_for_the_right_usage(text: str, subcommand: str | None,
                                                                 fragment: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(text)
    assert caught.value.subcommand == subcommand
    assert fragment in caught.value.message


@pytest.mark.parametrize(("typed", "message"), [
    ("Hi <!channel>", "Hi @channel"),
    ("Ping <!subteam^S0TEAM|@baristas>", "Ping @baristas"),
    ("Thanks <@U0ADA|ada> and <@U0BOB>", "Thanks @ada and @U0BOB"),
    ("See <#C0NEWS|news>", "See #news"),
    ("Shop at <https://shop.example.com|shop.example.com>", "Shop at https://shop.example.com"),
    ("Our <https://shop.example.com/sale|summer sale>!", "Our summer sale (https://shop.example.com/sale)!"),
    ("Mail <mailto:help@example.com|help@example.com>", "Mail help@example.com"),
    ("Fish &amp; chips &lt;3", "Fish & chips <3"),
])
def test_push_messages_read_as_typed_not_as_slack_markup(typed: str, message: str) -> None:
    assert parse(f"push 12 {typed}") == Push("12", message)


def test_unknown_subcommand_gets_help_with_a_suggestion() -> None:
    assert parse("memebr 12 7") == Help(unknown="memebr", suggestion="member")
    assert parse("xyzzy") == Help(unknown="xyzzy", suggestion=None)


def test_the_stamp_limit_is_configurable() -> None:
    assert parse("stamp 1 2 250", max_stamps=500) == Stamp("1", "2", 250)
    with pytest.raises(CommandError):
        parse("stamp 1 2 6", max_stamps=5)


def test_text_over_slacks_limit_is_refused_not_cut() -> None:
    with pytest.raises(CommandError, match="too long"):
        parse("push 1 " + "a" * 4000)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_no_input_raises_anything_but_command_error(text: str) -> None:
    try:
        parse(text)
    except CommandError as exc:
        message = exc.message
    else:
        message = "parsed"
    assert message


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SUBCOMMANDS), st.lists(st.one_of(
    st.text(min_size=1, max_size=30), st.sampled_from(["--voided", "--to", '"', "'", "<!channel>", "&amp;", "7,8"]),
), max_size=6))
def test_subcommands_with_any_arguments_parse_or_refuse_cleanly(name: str, words: list[str]) -> None:
    try:
        parse(" ".join([name, *words]))
    except CommandError as exc:
        message = exc.message
    else:
        message = "parsed"
    assert message


@pytest.mark.parametrize("text", [
    "push 12 Hi --to ada@example.com",
    "push 12 --to ada@example.com Hi --at 10:00",
    "push 12 Free coffee --everyone today",
    "push 12 Hi --to=ada@example.com",
])
def test_an_option_after_the_message_is_refused_never_sent_as_text(text: str) -> None:
    with pytest.raises(CommandError, match="came after the message") as raised:
        parse(text)
    assert raised.value.subcommand == "push"


def test_dashes_inside_the_message_stay_part_of_it() -> None:
    assert parse("push 12 Open today -- all day, 2--4 pm").message == "Open today -- all day, 2--4 pm"
    assert parse('push 12 Say "--to" to the barista').message == 'Say "--to" to the barista'


@pytest.mark.parametrize(("text", "expected"), [
    ("member 12 Ada Lovelace", MemberRef("member", "12", "Ada Lovelace")),
    ("edit 12 Jean-Luc O'Neil", MemberRef("edit", "12", "Jean-Luc O'Neil")),
    ("stamp 12 Ada Lovelace", Stamp("12", "Ada Lovelace")),
    ("stamp 12 Ada Lovelace 3", Stamp("12", "Ada Lovelace", 3)),
    ('member 12 "Ada Lovelace"', MemberRef("member", "12", "Ada Lovelace")),
])
def test_a_member_name_is_the_rest_of_the_line(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["member 12 1 2", "member 12 Ada 2", "void 12 Ada --force", "redeem 12 1 all",
                                  "member 12 ada@example.com Ada"])
def test_words_that_are_not_all_a_name_are_still_refused(text: str) -> None:
    with pytest.raises(CommandError, match="didn't expect"):
        parse(text)


def test_help_with_a_subcommand_is_about_that_subcommand() -> None:
    assert parse("help stamp") == Help(topic="stamp")
    assert parse("help STAMP") == Help(topic="stamp")
    assert parse("help stmap") == Help(unknown="stmap", suggestion="stamp")


@pytest.mark.parametrize(("text", "expected"), [
    ("member 12 +32 2 555 01 01", MemberRef("member", "12", "+32 2 555 01 01")),
    ("stamp 12 +32 2 555 01 01", Stamp("12", "+32 2 555 01 01")),
    ("stamp 12 +32 2 555 01 01 3", Stamp("12", "+32 2 555 01 01", 3)),
    ("stamp 12 +32 470 12 34 56", Stamp("12", "+32 470 12 34 56")),
    ("void 12 0032 2 555 01 01", MemberRef("void", "12", "0032 2 555 01 01")),
])
def test_a_phone_spelt_with_spaces_needs_no_quotes(text: str, expected: object) -> None:
    assert parse(text) == expected
