import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.coupontools.models import Member
from bot.views.members import QUERY_MAX, PageState, member_choices_message, members_page_message
from tests.views.checks import check_message


def _button(action_id, value, text):
    return {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": text}}


def _md(text):
    return {"type": "mrkdwn", "verbatim": True, "text": text}


ADA_ROW = {
    "type": "section",
    "text": _md("*Ada Lovelace*\nid 2 · code `abc` · 3 stamps · since 12 Feb 2024"),
    "accessory": _button("member.open", "123:2", "Open"),
}
BOB_ROW = {
    "type": "section",
    "text": _md("*Bob*  :no_entry: _voided_\nid 3 · code `def`"),
    "accessory": _button("member.open", "123:3", "Open"),
}


def test_page_state_round_trips():
    state = PageState(card_id=123, query="ada | lovelace", include_voided=True, page=3)
    assert state.encode() == "m1|123|3|1|ada | lovelace"
    assert PageState.decode(state.encode()) == state


@given(
    st.integers(0, 10**18 - 1), st.text(max_size=QUERY_MAX), st.booleans(), st.integers(1, 100_000),
)
def test_page_state_round_trips_any_state(card_id, query, voided, page):
    state = PageState(card_id=card_id, query=query, include_voided=voided, page=page)
    assert PageState.decode(state.encode()) == state


def test_a_long_query_is_cut_to_keep_the_button_value_within_slack_limits():
    state = PageState(card_id=10**18 - 1, query="😀" * 5000, page=100_000)
    encoded = state.encode()
    assert len(encoded.encode("utf-16-le")) // 2 <= 2000
    assert PageState.decode(encoded) == PageState(card_id=10**18 - 1, query="😀" * QUERY_MAX, page=100_000)


@pytest.mark.parametrize("value", [
    None, 5, "", "m1", "m1|1|1|0", "m2|1|1|0|x", "m1|a|1|0|x", "m1|1|0|0|x", "m1|1|-1|0|x", "m1|1|1|2|x",
    "m1|01|1|0|x", "m1|1|100001|0|x", "m1|1|1|0|" + "x" * (QUERY_MAX + 1), "123:4", "<!channel>", "m1|1|1|true|x",
])
def test_page_state_rejects_garbage(value):
    assert PageState.decode(value) is None


@given(st.text(max_size=60))
def test_page_state_decodes_only_what_encode_writes(value):
    state = PageState.decode(value)
    assert state is None or state.encode() == value


def test_page_state_refuses_impossible_pages():
    with pytest.raises(ValueError, match="page"):
        PageState(card_id=1, page=0)


def test_members_page_lists_members_with_open_and_page_buttons(card, ada, bob):
    state = PageState(card_id=123, query="ada", include_voided=True, page=2)
    assert members_page_message(card, [ada, bob], state, has_next=True).to_dict() == {
        "text": "2 members of Coffee Club, matching `ada`, page 2",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Members of Coffee Club matching “ada”"}},
            {"type": "context", "elements": [_md("page 2 · more on the next pages · voided cards included")]},
            ADA_ROW,
            BOB_ROW,
            {"type": "actions", "elements": [
                _button("members.page.previous", "m1|123|1|1|ada", "Previous"),
                _button("members.page.next", "m1|123|3|1|ada", "Next"),
            ]},
        ],
    }


def test_first_page_without_more_has_no_page_buttons(card, ada):
    blocks = members_page_message(card, [ada], PageState(card_id=123), has_next=False).to_dict()["blocks"]
    assert [block["type"] for block in blocks] == ["header", "context", "section"]
    assert blocks[1]["elements"][0]["text"] == "all members · page 1 of 1 · 1 member"


def test_no_match_says_so_and_suggests_what_to_try(card):
    message = members_page_message(card, [], PageState(card_id=123, query="zed"), has_next=False).to_dict()
    check_message(message)
    assert message["blocks"][-1]["text"]["text"] == (
        "No members of *Coffee Club* match `zed`. Check the spelling or search with fewer words, "
        "or add `--voided` to include voided cards."
    )


def test_an_empty_later_page_offers_previous(card):
    message = members_page_message(card, [], PageState(card_id=123, page=4), has_next=False).to_dict()
    assert message["blocks"][-2]["text"]["text"] == "There are no more members on page 4. Go back with *Previous*."
    assert message["blocks"][-1]["elements"][0]["value"] == "m1|123|3|0|"


def test_more_members_than_a_message_holds_are_cut_with_a_note(card):
    members = [Member(id=n, first_name=f"M{n}") for n in range(60)]
    message = members_page_message(card, members, PageState(card_id=123, page=2), has_next=True).to_dict()
    check_message(message)
    assert len(message["blocks"]) == 50
    assert message["blocks"][-2]["elements"][0]["text"].startswith("…and 14 more members.")


def test_a_hostile_name_cannot_ping_the_channel(card):
    member = Member(id=1, first_name="<!channel>", last_name="<@U1|boss>")
    message = members_page_message(card, [member], PageState(card_id=123), has_next=False).to_dict()
    check_message(message)
    assert message["blocks"][2]["text"]["text"].startswith("*&lt;!channel&gt; &lt;@U1|boss&gt;*")


def test_member_choices_lists_matches_to_open(card, ada, bob):
    assert member_choices_message(card, [ada, bob], "ada@example.com").to_dict() == {
        "text": "2 members of Coffee Club match ada@example.com",
        "blocks": [
            {"type": "section", "text": _md(
                ":mag: 2 members of *Coffee Club* match `ada@example.com`. "
                "Pick one, or use the member's id or code, which are unique."
            )},
            ADA_ROW,
            BOB_ROW,
        ],
    }


def test_member_choices_are_capped_and_ask_for_a_more_exact_value(card):
    members = [Member(id=n, first_name="Sam") for n in range(32)]
    message = member_choices_message(card, members, "sam").to_dict()
    check_message(message)
    assert len(message["blocks"]) == 22
    assert message["blocks"][-1]["elements"][0]["text"] == (
        "…and 12 more members. Use a more exact value, such as the member's id or code."
    )
