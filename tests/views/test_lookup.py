from bot.coupontools.models import Card, Member
from bot.views import ids
from bot.views.lookup import lookup_choices_modal, lookup_member_modal, lookup_modal
from tests.views.checks import all_mrkdwn, check_view
from tests.views.conftest import NOW


def _plain(text):
    return {"type": "plain_text", "text": text}


def test_lookup_modal_asks_for_a_card_and_a_member(card):
    option = {"text": _plain("Coffee Club · 123"), "value": "123"}
    assert lookup_modal([card]).to_dict() == {
        "type": "modal",
        "callback_id": "lookup",
        "title": _plain("Look up a member"),
        "submit": _plain("Look up"),
        "close": _plain("Cancel"),
        "blocks": [
            {
                "type": "input", "block_id": "lookup.card", "label": _plain("Loyalty card"),
                "element": {
                    "type": "static_select", "action_id": "lookup.card.select",
                    "placeholder": _plain("Choose a card"), "options": [option], "initial_option": option,
                },
            },
            {
                "type": "input", "block_id": "lookup.query", "label": _plain("Member"),
                "element": {
                    "type": "plain_text_input", "action_id": "lookup.query.input", "max_length": 200,
                    "placeholder": _plain("Email, phone, code, id or name"),
                },
                "hint": _plain("An id, code, email or phone opens that member; a name lists who matches."),
            },
        ],
    }


def test_more_than_100_cards_list_the_first_100_and_say_how_to_reach_the_rest():
    cards = [Card(id=n, name="A very long card name that goes on " * 5) for n in range(150)]
    view = lookup_modal(cards).to_dict()
    check_view(view)
    select = view["blocks"][0]["element"]
    assert len(select["options"]) == 100
    assert "initial_option" not in select
    assert select["options"][7]["text"]["text"].endswith("… · 7")
    assert view["blocks"][-1]["elements"][0]["text"].startswith("Only the first 100 of 150 cards are listed.")


def test_without_cards_the_modal_explains_and_cannot_be_submitted():
    view = lookup_modal([]).to_dict()
    check_view(view)
    assert "submit" not in view
    assert view["blocks"][0]["text"]["text"].startswith("There are no loyalty cards")


def test_a_found_member_is_shown_read_only_with_the_commands_to_act(card, john):
    view = lookup_member_modal(card, john, now=NOW).to_dict()
    check_view(view)
    assert view["callback_id"] == ids.LOOKUP_RESULT_VIEW
    assert ids.parse_member_ref(view["private_metadata"]) == (123, 2)
    assert not [block for block in view["blocks"] if block["type"] == "actions"]
    assert view["blocks"][0] == {"type": "header", "text": _plain("John Doe")}
    assert view["blocks"][-1]["elements"][0]["text"] == (
        "To change this member, type `/loyalty stamp 123 2`, `/loyalty redeem 123 2`, `/loyalty edit 123 2` "
        "in any channel; only you will see the answer."
    )


def test_several_matches_in_the_modal_open_in_place(card, ada):
    view = lookup_choices_modal(card, [ada, Member(id=5, first_name="Ada")], "ada").to_dict()
    check_view(view)
    assert [block["accessory"]["action_id"] for block in view["blocks"][1:]] == [ids.LOOKUP_OPEN] * 2
    assert all_mrkdwn(view)[0].startswith(":mag: 2 members of *Coffee Club* match `ada`.")
