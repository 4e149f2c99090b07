"""What stamp, redeem and copy answer with: counts, rewards earned, the reward picker, and Slack's limits."""

from __future__ import annotations

from hypothesis import given

from bot.coupontools.models import Card, Member
from bot.views import ids
from bot.views.changes import (
    copy_result_message,
    default_copy_name,
    earned_rewards,
    redeem_modal,
    redeem_refusal,
    redeemed_modal,
    stamp_result_message,
    stamp_unknown_message,
)
from localstack.slack import render_blocks, render_view, validate_blocks, validate_view
from tests.views.checks import all_mrkdwn, check_message, check_mrkdwn
from tests.views.conftest import NOW
from tests.views.strategies import members

CARD = Card(id=123, code="ndoh57", name="Coffee Club", type="stamp")


def member(stamps: int, rewards: list[dict]) -> Member:
    return Member.model_validate({"id": 2, "code": "c", "first_name": "Grace", "stamps": stamps, "rewards": rewards})


def reward(reward_id: int, **times: str) -> dict:
    return {"id": reward_id, "name": f"Coffee {reward_id}", "added_at": "2024-02-01 10:00:00", **times}


def test_a_stamp_that_earns_a_reward_says_so_and_offers_to_redeem_it() -> None:
    before, after = member(9, []), member(10, [reward(5)])
    assert [r.id for r in earned_rewards(before, after, NOW)] == [5]
    message = stamp_result_message(CARD, before, after, 1, now=NOW)
    shown = render_blocks(message.to_dict()["blocks"])
    assert "now *10 stamps*" in shown
    assert "Reward earned: *Coffee 5*" in shown
    assert "Redeem" in shown
    check_message(message.to_dict())


def test_a_stamp_that_earns_nothing_offers_no_redeem_button() -> None:
    old = reward(1)
    message = stamp_result_message(CARD, member(3, [old]), member(4, [old]), 1, now=NOW).to_dict()
    action_ids = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ids.MEMBER_REDEEM not in action_ids
    assert "Reward earned" not in message["blocks"][0]["text"]["text"]


def test_an_unknown_outcome_says_so_first_and_shows_how_to_check() -> None:
    message = stamp_unknown_message(CARD, member(9, []), 2).to_dict()
    text = message["blocks"][0]["text"]["text"]
    assert text.startswith(":grey_question: *Outcome unknown — check the member's count.*")
    assert "`/loyalty member 123 2`" in text
    assert "did not retry" in text


def test_the_redeem_modal_offers_only_available_rewards_as_checkboxes() -> None:
    rewards = [reward(1), reward(2, used_at="2024-02-02 10:00:00"), reward(3, expired_at="2024-02-10 00:00:00")]
    view = redeem_modal(CARD, member(30, rewards), now=NOW).to_dict()
    [picker] = [block for block in view["blocks"] if block.get("block_id") == ids.REDEEM_BLOCK]
    assert picker["element"]["type"] == "checkboxes"
    assert [option["value"] for option in picker["element"]["options"]] == ["1"]
    assert validate_view(view) == []


def test_more_than_ten_rewards_become_a_multi_select_and_more_than_a_hundred_are_cut_with_a_note() -> None:
    view = redeem_modal(CARD, member(0, [reward(n) for n in range(1, 12)]), now=NOW).to_dict()
    [picker] = [block for block in view["blocks"] if block.get("block_id") == ids.REDEEM_BLOCK]
    assert picker["element"]["type"] == "multi_static_select"
    many = redeem_modal(CARD, member(0, [reward(n) for n in range(1, 131)]), now=NOW).to_dict()
    assert validate_view(many) == []
    assert "first 100 of 130" in render_view(many)


def test_nothing_to_redeem_has_no_submit() -> None:
    view = redeem_modal(CARD, member(3, [reward(1, used_at="2024-02-02 10:00:00")]), now=NOW).to_dict()
    assert "submit" not in view
    assert "nothing to redeem" in render_view(view)


def test_the_redeemed_modal_lists_what_was_used() -> None:
    after = member(30, [reward(1, used_at="2024-02-15 09:00:00"), reward(2)])
    shown = render_view(redeemed_modal(CARD, after, [1]).to_dict())
    assert "Coffee 1 — used 15 Feb 2024 09:00" in shown
    assert "1 reward still available" in shown


def test_refusals_to_redeem_are_explained() -> None:
    assert "already used" in redeem_refusal("reward_ids: 3 was already used")
    assert "expired" in redeem_refusal("reward_ids: 3 has expired")
    assert "no longer belongs" in redeem_refusal("reward_ids: 3 is not a reward of this user")
    assert "The loyalty service refused: weird" in redeem_refusal("weird")


def test_the_default_copy_name_is_cut_to_fifty_characters() -> None:
    assert default_copy_name(CARD) == "Copy of Coffee Club"
    long = Card(id=1, name="x" * 50)
    assert default_copy_name(long) == "Copy of " + "x" * 42


def test_the_copy_reply_names_the_new_card_by_id_code_and_name() -> None:
    copy = Card(id=124, code="abc123", name="<!channel> Copy")
    message = copy_result_message(CARD, copy).to_dict()
    check_message(message)
    shown = render_blocks(message["blocks"])
    for part in ("id 124", "`abc123`", "&lt;!channel&gt; Copy"):
        assert part in message["blocks"][0]["text"]["text"]
    assert "Coffee Club" in shown


@given(members())
def test_any_member_gives_answers_slack_accepts(any_member: Member) -> None:
    for message in (stamp_result_message(CARD, any_member, any_member, 1, now=NOW),
                    stamp_unknown_message(CARD, any_member, 1)):
        assert validate_blocks(message.to_dict()["blocks"]) == []
        for text in all_mrkdwn(message.to_dict()):
            check_mrkdwn(text, 3000)
    used = [r.id for r in any_member.rewards]
    for view in (redeem_modal(CARD, any_member, now=NOW), redeemed_modal(CARD, any_member, used)):
        assert validate_view(view.to_dict()) == []
