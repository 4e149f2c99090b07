import pytest

from bot.coupontools.models import Card
from bot.views.home import home_view
from tests.views.checks import all_mrkdwn, check_view


def _md(text):
    return {"type": "mrkdwn", "verbatim": True, "text": text}


def test_home_explains_the_app_the_role_and_lists_cards(card):
    assert home_view([card], role="viewer").to_dict() == {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Loyalty assistant"}},
            {"type": "section", "text": _md(
                "I run your Coupontools loyalty programmes from Slack: look up members, add stamps, redeem "
                "rewards, and message members. Anything that cannot be undone asks for a confirmation first, "
                "and answers about members are shown only to you."
            )},
            {"type": "section", "text": _md("*Your role:* viewer — you can look up cards and members.")},
            {"type": "section", "text": _md(
                "*Try it* in any channel or DM:\n"
                "• `/loyalty cards`\n"
                "• `/loyalty members \"Coffee Club\" ada`\n"
                "• `/loyalty member \"Coffee Club\" ada@example.com`\n"
                "• `/loyalty help`\n"
                "or use the *Look up a member* shortcut."
            )},
            {"type": "divider"},
            {"type": "header", "text": {"type": "plain_text", "text": "Loyalty cards (1)"}},
            {
                "type": "section",
                "text": _md("*Coffee Club*\nStamp · code `ndoh57` · id 123 · loyalty.coupontools.com"),
                "accessory": {
                    "type": "button", "action_id": "cards.members", "value": "123",
                    "text": {"type": "plain_text", "text": "Members"},
                },
            },
        ],
    }


def test_operators_also_see_a_change_example(card):
    texts = all_mrkdwn(home_view([card], role="operator").to_dict())
    assert any("`/loyalty stamp \"Coffee Club\" ada@example.com 2`" in text for text in texts)


@pytest.mark.parametrize("role", ["no access", "guest", "<!channel>"])
def test_without_access_no_cards_are_listed_and_the_way_in_is_explained(card, role):
    view = home_view([card], role=role).to_dict()
    check_view(view)
    assert "*Your role:* no access — you can't use the app yet." in all_mrkdwn(view)[1]
    assert not any(block.get("accessory") for block in view["blocks"])


def test_no_cards_says_so(card):
    view = home_view([], role="admin").to_dict()
    check_view(view)
    assert view["blocks"][-1]["text"]["text"].startswith("There are no loyalty cards")


def test_many_cards_fit_in_100_blocks():
    view = home_view([Card(id=n, name=f"Card {n}") for n in range(250)], role="admin").to_dict()
    check_view(view)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["elements"][0]["text"].startswith("…and 157 more cards.")
