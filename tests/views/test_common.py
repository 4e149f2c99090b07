from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.views.common import (
    Message,
    button,
    code,
    error_modal,
    escape,
    format_date,
    format_time,
    loading_modal,
    modal,
    notice,
    section,
    slack_length,
    truncate,
)
from tests.views.checks import check_message, check_view
from tests.views.strategies import hostile_text


def test_escape_turns_mentions_and_links_into_inert_text():
    assert escape("<!channel> & <https://evil|click>") == "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"


def test_escape_drops_control_characters_but_keeps_newlines_and_unicode():
    assert escape("a\x00b\x1b\nZoë 😀") == "ab\nZoë 😀"


@pytest.mark.parametrize("bidi", ["\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f",
                                  "\u061c"])
def test_bidirectional_controls_are_dropped_from_names_in_mrkdwn_and_plain_text(bidi):
    name = f"Ada {bidi}ecalevol{bidi}"
    assert escape(name) == "Ada ecalevol"
    assert section(escape(name)).to_dict()["text"]["text"] == "Ada ecalevol"
    assert modal(name[:20], [section("x")]).to_dict()["title"]["text"] == "Ada ecalevol"


def test_truncate_leaves_short_text_alone():
    assert truncate("hello", 5) == "hello"


def test_truncate_ends_with_an_ellipsis_within_the_limit():
    assert truncate("hello world", 8) == "hello w…"


def test_truncate_never_splits_an_entity():
    assert truncate("ab&amp;cd", 6) == "ab…"
    assert truncate("ab&lt;cd", 7) == "ab&lt;…"
    assert truncate("ab&lt;cd", 6) == "ab…"


def test_truncate_counts_astral_characters_as_two_like_utf16():
    cut = truncate("😀" * 10, 7)
    assert cut == "😀😀😀…"
    assert slack_length(cut) <= 7


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_truncate_always_fits_the_limit(text, limit):
    assert slack_length(truncate(text, limit)) <= limit


def test_code_keeps_backticks_from_breaking_out():
    assert code("a`<b>`") == "`a'&lt;b&gt;'`"


def test_format_time_reads_like_people_write_dates():
    assert format_time(datetime(2024, 2, 12, 12, 31, 6)) == "12 Feb 2024 12:31"
    assert format_date(datetime(2024, 12, 1, 9, 5)) == "1 Dec 2024"


def test_notice_is_one_escaped_section_with_an_emoji():
    assert notice("Stamped <Ada> & co", emoji="white_check_mark").to_dict() == {
        "text": "Stamped &lt;Ada&gt; &amp; co",
        "blocks": [{
            "type": "section",
            "text": {"type": "mrkdwn", "text": ":white_check_mark: Stamped &lt;Ada&gt; &amp; co", "verbatim": True},
        }],
    }


def test_notice_of_blank_text_is_still_accepted_by_slack():
    check_message(notice("   ").to_dict())


def test_loading_modal():
    assert loading_modal("Look up a member").to_dict() == {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Look up a member"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{
            "type": "section",
            "text": {"type": "mrkdwn", "text": ":hourglass_flowing_sand: Loading…", "verbatim": True},
        }],
    }


def test_error_modal_escapes_its_text():
    assert error_modal("Look up a member", "No card `<x>`.").to_dict() == {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Look up a member"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{
            "type": "section",
            "text": {"type": "mrkdwn", "text": ":warning: No card `&lt;x&gt;`.", "verbatim": True},
        }],
    }


def test_modal_title_is_cut_to_24_characters():
    title = loading_modal("A very long title for a modal window").to_dict()["title"]["text"]
    assert title == "A very long title for a…"


def test_message_refuses_more_than_50_blocks():
    with pytest.raises(ValueError, match="50 blocks"):
        Message(text="x", blocks=[section("x")] * 51)


def test_button_refuses_a_value_slack_would_reject():
    with pytest.raises(ValueError, match="2000"):
        button("Go", "go", "x" * 2001)


def test_modal_refuses_private_metadata_slack_would_reject():
    with pytest.raises(ValueError, match="3000"):
        modal("t", [section("x")], private_metadata="x" * 3001)


@settings(deadline=None, max_examples=50)
@given(hostile_text, hostile_text, st.one_of(st.none(), st.sampled_from(["warning", ":ok:"])))
def test_small_shapes_survive_any_text(title, text, emoji):
    check_message(notice(text, emoji=emoji).to_dict())
    check_view(loading_modal(title).to_dict())
    check_view(error_modal(title, text).to_dict())
