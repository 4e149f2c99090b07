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


def _figures(live):
    from datetime import datetime

    from bot.stats import MemberFigures

    return MemberFigures(datetime(2026, 3, 1, 14, 5), live, 0, (datetime(2026, 2, 20),), 4, 0, 0, 4, None)


def _approval(n):
    from datetime import UTC, datetime, timedelta

    from bot.store import HeldChange

    now = datetime.now(UTC)
    return HeldChange(
        id=f"{n:032x}", kind="approval", action="push", requester="U0OPERATOR", team_id=None, channel_id=None,
        params={"card_id": 123, "message": "Double stamps!", "recipient_ids": None, "recipient_count": 40},
        state="pending", created_at=now, expires_at=now + timedelta(hours=1), claimed_by=None, claimed_at=None,
        closed_by=None, finished_at=None, detail=None, message_channel_id=None, message_ts=None, reason=None,
        total_recipients=None)


def test_each_card_shows_its_headline_or_how_to_ask(card):
    other = Card(id=124, name="Tea Club")
    texts = all_mrkdwn(home_view([card, other], role="viewer", figures={123: _figures(210)}).to_dict())
    assert "210 live members · 1 new in 30 days · 4 rewards waiting · as of 14:05" in texts
    assert "Figures: `/loyalty stats 124`" in texts


def test_many_cards_with_figures_and_approvals_fit_in_100_blocks():
    cards = [Card(id=n, name=f"Card {n}") for n in range(250)]
    figures = {n: _figures(n) for n in range(250)}
    check_view(home_view(cards, role="admin", figures=figures).to_dict())
    # with approvals (whose mentions the checker does not take): still within Slack's 100 blocks
    view = home_view(cards, role="admin", figures=figures,
                     approvals=[(_approval(n), "Card 1") for n in range(8)]).to_dict()
    assert len(view["blocks"]) <= 100
    assert "…and 3 more in the approvals channel." in all_mrkdwn(view)


def test_only_admins_see_approvals(card):
    for role in ("viewer", "operator"):
        view = home_view([card], role=role, approvals=[(_approval(1), "Coffee Club")]).to_dict()
        assert not any("Double stamps" in text for text in all_mrkdwn(view))
