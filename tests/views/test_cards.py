from bot.coupontools.models import Card
from bot.views.cards import cards_message
from tests.views.checks import check_message


def test_cards_message_lists_each_card_with_a_members_button(card):
    assert cards_message([card]).to_dict() == {
        "text": "1 loyalty card",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Loyalty cards (1)"}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn", "verbatim": True,
                    "text": "*Coffee Club*\nStamp · code `ndoh57` · id 123 · loyalty.coupontools.com",
                },
                "accessory": {
                    "type": "button", "action_id": "cards.members", "value": "123",
                    "text": {"type": "plain_text", "text": "Members"},
                },
            },
            {"type": "context", "elements": [{
                "type": "mrkdwn", "verbatim": True,
                "text": "Search a card's members with `/loyalty members &lt;card&gt; &lt;words&gt;`, "
                        "or see one with `/loyalty member &lt;card&gt; &lt;member&gt;`.",
            }]},
        ],
    }


def test_no_cards_says_so_and_what_to_do():
    message = cards_message([]).to_dict()
    check_message(message)
    assert message["blocks"][0]["text"]["text"] == (
        ":card_index: There are no loyalty cards on this Coupontools account yet. "
        "Create one in the Coupontools dashboard, then run `/loyalty cards` again."
    )


def test_many_cards_fit_in_50_blocks_and_say_how_many_more():
    cards = [Card(id=n, name=f"Card {n}") for n in range(1, 121)]
    message = cards_message(cards).to_dict()
    check_message(message)
    assert len(message["blocks"]) == 50
    assert message["blocks"][-2]["elements"][0]["text"].startswith("…and 73 more cards.")


def test_a_card_without_name_is_shown_by_its_code():
    message = cards_message([Card(id=9, code="zz")]).to_dict()
    assert message["blocks"][1]["text"]["text"] == "*zz*\nLoyalty card · code `zz` · id 9"
