from datetime import datetime, timedelta

from bot.coupontools.models import CUSTOM_FIELDS, Card, Member
from bot.views.member import member_message, wallet_link
from tests.views.checks import all_mrkdwn, check_message
from tests.views.conftest import NOW


def _md(text):
    return {"type": "mrkdwn", "verbatim": True, "text": text}


def _button(action_id, text, style=None):
    button = {"type": "button", "action_id": action_id, "value": "123:2", "text": {"type": "plain_text", "text": text}}
    if style:
        button["style"] = style
    return button


def _action_ids(message):
    actions = [block for block in message["blocks"] if block["type"] == "actions"]
    return [element["action_id"] for element in actions[0]["elements"]] if actions else []


def test_member_card_shows_everything_the_api_gave(card, john):
    assert member_message(card, john, now=NOW).to_dict() == {
        "text": "John Doe, member 2 of Coffee Club, 6 stamps",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "John Doe"}},
            {"type": "section", "fields": [
                _md("*Card*\nCoffee Club"),
                _md("*Member id*\n2"),
                _md("*Code*\n`wvjeykseaswlquco6uta8`"),
                _md("*Stamps*\n6"),
                _md("*Member since*\n12 Feb 2024 12:31"),
                _md("*Card expires*\n19 Feb 2024 22:59"),
            ]},
            {"type": "section", "fields": [
                _md("*Email*\nJohn@Doe.com"),
                _md("*Phone*\n+0123456789"),
                _md("*Address*\nAmina Course 956\n15242 Central City"),
            ]},
            {"type": "section", "text": _md(
                "*Available rewards (1)*\n• rewardA — earned 14 Feb 2024, expires 21 Feb 2024 23:59"
            )},
            {"type": "section", "text": _md("*Used rewards (1)*\n• rewardB — used 6 Mar 2024 14:45")},
            {"type": "section", "fields": [_md("*Custom 1*\ncustom value 1"), _md("*Custom 5*\ncustom value 5")]},
            {"type": "section", "text": _md(
                "*Wallet card:* <https://loyalty.coupontools.com/6epyy9/wvjeykseaswlquco6uta8|Open the wallet card>"
            )},
            {"type": "actions", "elements": [
                _button("member.stamp", "Add stamp", "primary"),
                _button("member.redeem", "Redeem"),
                _button("member.edit", "Edit"),
                _button("member.history", "History"),
                _button("member.void", "Void", "danger"),
                _button("member.delete", "Delete", "danger"),
            ]},
        ],
    }


def test_expired_rewards_are_grouped_apart_and_redeem_disappears(card, john):
    later = datetime(2024, 3, 1)
    message = member_message(card, john, now=later).to_dict()
    texts = all_mrkdwn(message)
    assert "*Expired rewards (1)*\n• rewardA — expired 21 Feb 2024 23:59" in texts
    assert "*Card expired*\n19 Feb 2024 22:59" in texts
    assert "member.redeem" not in _action_ids(message)


def test_a_voided_member_has_a_banner_and_no_stamp_redeem_or_void(card, john):
    voided = john.model_copy(update={"voided_at": datetime(2024, 2, 14, 8, 0)})
    message = member_message(card, voided, now=NOW).to_dict()
    assert message["text"] == "John Doe (voided), member 2 of Coffee Club, 6 stamps"
    assert message["blocks"][1]["text"]["text"].startswith(":no_entry: *VOIDED* on 14 Feb 2024 08:00.")
    assert _action_ids(message) == ["member.edit", "member.history", "member.delete"]


def test_a_membership_card_offers_no_stamps():
    card = Card(id=123, name="Club", type="membership")
    message = member_message(card, Member(id=2, first_name="Ann"), now=NOW).to_dict()
    check_message(message)
    assert _action_ids(message) == ["member.edit", "member.history", "member.void", "member.delete"]
    assert "*Contact*\nNo contact details on file." in all_mrkdwn(message)


def test_a_stamp_card_member_without_rewards_says_none_yet(card):
    message = member_message(card, Member(id=2, stamps=0), now=NOW).to_dict()
    assert "*Rewards*\nNone yet." in all_mrkdwn(message)
    assert message["blocks"][0]["text"]["text"] == "Member 2"


def test_all_custom_fields_and_40_long_rewards_fit_and_are_summarised(card):
    long = "Free large cappuccino with oat milk and an extra shot " * 20
    rewards = [{"id": n, "name": f"{long}{n}", "added_at": "2024-02-01 10:00:00"} for n in range(40)]
    data = {name: "v" * 5000 for name in CUSTOM_FIELDS}
    member = Member.model_validate({"id": 2, "first_name": "A" * 5000, "rewards": rewards, **data})
    message = member_message(card, member, now=NOW).to_dict()
    check_message(message)
    rewards_text = next(text for text in all_mrkdwn(message) if text.startswith("*Available rewards (40)*"))
    assert rewards_text.endswith("\n…and 30 more")
    custom = next(block for block in message["blocks"] if block.get("fields", [{}])[0].get("text", "").startswith(
        "*Custom 1*"))
    assert [field["text"].split("\n")[0] for field in custom["fields"]] == [f"*Custom {n}*" for n in range(1, 9)]
    assert message["blocks"][0]["text"]["text"] == "A" * 149 + "…"


def test_hostile_names_and_fields_come_out_escaped(card):
    member = Member(
        id=2, first_name="<!channel>", email="<mailto:x@y.z|click>", custom_1="<https://evil|click> *bold*",
        rewards=[{"id": 1, "name": "<!here>"}],
    )
    message = member_message(card, member, now=NOW).to_dict()
    check_message(message)
    texts = all_mrkdwn(message)
    assert "&lt;!channel&gt;" in message["text"]
    assert "*Email*\n&lt;mailto:x@y.z|click&gt;" in texts
    assert "*Custom 1*\n&lt;https://evil|click&gt; *bold*" in texts
    assert "*Available rewards (1)*\n• &lt;!here&gt; — earned, does not expire" in texts


def test_wallet_link_only_links_web_addresses():
    assert wallet_link("https://x.example/a?b=1&c=<2>|3") == (
        "<https://x.example/a?b=1&amp;c=%3C2%3E%7C3|Open the wallet card>"
    )
    assert wallet_link("javascript:alert(1)") == "`javascript:alert(1)` (not a web address I can link to)"
    assert wallet_link("https://x.example/ <!channel>").startswith("`https://x.example/ &lt;!channel&gt;`")


def test_a_reward_expiring_later_is_still_available(card):
    reward = {"id": 1, "name": "Coffee", "expired_at": (NOW + timedelta(days=1)).isoformat(sep=" ")}
    message = member_message(card, Member(id=2, rewards=[reward]), now=NOW).to_dict()
    assert "member.redeem" in _action_ids(message)
