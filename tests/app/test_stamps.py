"""Stamps and rewards end to end: counts, rewards earned, unknown outcomes, redeeming, and who may do it."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from bot.sandbox import (
    DEMO_ADA_AVAILABLE_REWARD_ID,
    DEMO_ADA_ID,
    DEMO_ALAN_ID,
    DEMO_GRACE_ID,
    DEMO_KATHERINE_ID,
    DEMO_MEMBERSHIP_CARD_ID,
    DEMO_STAMP_CARD_ID,
)
from bot.views import ids
from bot.views.changes import redeem_modal
from localstack.slack import View, render_message, render_view
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def ask(stack: LocalStack, text: str, user: str = OPERATOR) -> str:
    return render_message(private_reply(stack, text, user))


def stamp_requests(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("POST", "/stamps")


def stamps_of(stack: LocalStack, member_id: int) -> int:
    return stack.sandbox.state.members[member_id]["stamps"]


def member_card(stack: LocalStack, member_id: int, user: str):
    stack.driver.command(f"member {CARD} {member_id}", user=user)
    return stack.driver.wait_reply(user)


def wait_modal_saying(stack: LocalStack, words: str, user: str = OPERATOR) -> View:
    return stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(user)) and words in render_view(m) and m) or None,
        what=f"a modal saying {words!r}")


def test_stamping_grace_shows_the_new_count_and_the_reward_just_earned(stack: LocalStack) -> None:
    shown = ask(stack, f"stamp {CARD} grace@example.com")
    assert "now *10 stamps*" in shown
    assert "Reward earned: *Free coffee*" in shown
    assert "Redeem" in shown
    assert [request.body for request in stamp_requests(stack)] == [{"amount": 1}]
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome, entry.member_ids, entry.params) == (
        "stamp", "ok", (DEMO_GRACE_ID,), {"amount": 1})


def test_stamp_takes_an_amount_and_says_nothing_of_rewards_when_none_was_earned(stack: LocalStack) -> None:
    shown = ask(stack, f"stamp {CARD} {DEMO_ADA_ID} 2")
    assert "Added 2 stamps" in shown
    assert "now *39 stamps*" in shown
    assert "Reward earned" not in shown
    assert stamps_of(stack, DEMO_ADA_ID) == 39


def test_an_amount_above_the_limit_is_refused_before_anything_is_sent(stack: LocalStack) -> None:
    shown = ask(stack, f"stamp {CARD} {DEMO_ADA_ID} 101")
    assert "1 to 100" in shown or "from 1 to 100" in shown
    assert stamp_requests(stack) == []


def test_a_dropped_answer_after_stamping_is_an_unknown_outcome_sent_exactly_once(stack: LocalStack) -> None:
    drop = stack.sandbox.faults.drop(path="/stamps", after_apply=True)
    shown = ask(stack, f"stamp {CARD} {DEMO_GRACE_ID}")
    assert "Outcome unknown — check the member's count" in shown
    assert f"/loyalty member {CARD} {DEMO_GRACE_ID}" in shown
    assert drop.hits == 1
    assert len(stamp_requests(stack)) == 1  # never retried
    assert stamps_of(stack, DEMO_GRACE_ID) == 10  # it did happen; only the answer was lost
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome) == ("stamp", "unknown")


def test_a_voided_member_is_refused_before_anything_is_sent(stack: LocalStack) -> None:
    shown = ask(stack, f"stamp {CARD} {DEMO_ALAN_ID}")
    assert "voided" in shown
    assert "Nothing was sent" in shown
    assert stamp_requests(stack) == []
    assert stack.services.store.audit.latest() == []


def test_a_membership_card_has_no_stamps_to_add(stack: LocalStack) -> None:
    shown = ask(stack, f"stamp {DEMO_MEMBERSHIP_CARD_ID} {DEMO_KATHERINE_ID}")
    assert "membership card" in shown
    assert stamp_requests(stack) == []


def test_add_stamp_button_adds_one_stamp(stack: LocalStack) -> None:
    card = member_card(stack, DEMO_GRACE_ID, OPERATOR)
    stack.driver.click(card, action_id=ids.MEMBER_STAMP, user=OPERATOR)
    shown = render_message(stack.driver.wait_reply(OPERATOR))
    assert "now *10 stamps*" in shown
    assert [request.body for request in stamp_requests(stack)] == [{"amount": 1}]


def test_a_viewer_is_refused_at_the_stamp_command_and_at_the_button(stack: LocalStack) -> None:
    assert "operator role" in ask(stack, f"stamp {CARD} {DEMO_GRACE_ID}", user=VIEWER)
    assert "Add stamp" not in render_message(member_card(stack, DEMO_GRACE_ID, VIEWER))  # not even shown
    card = member_card(stack, DEMO_GRACE_ID, OPERATOR)
    stack.driver.click(card, action_id=ids.MEMBER_STAMP, user=VIEWER)  # still checked at the click
    assert "operator role" in render_message(stack.driver.wait_reply(VIEWER))
    assert stamp_requests(stack) == []
    assert stamps_of(stack, DEMO_GRACE_ID) == 9


# -- redeem -------------------------------------------------------------------------------------------


def redeem_requests(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("PUT", "/rewards")


def open_redeem(stack: LocalStack, member_id: int, user: str = OPERATOR) -> View:
    stack.driver.command(f"redeem {CARD} {member_id}", user=user)
    return stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(user)) and m.callback_id == ids.REDEEM_VIEW and m) or None,
        what="the redeem modal")


def test_redeeming_adas_available_reward_marks_it_used(stack: LocalStack) -> None:
    modal = open_redeem(stack, DEMO_ADA_ID)
    element = next(block for block in modal.blocks if block.get("block_id") == ids.REDEEM_BLOCK)["element"]
    assert element["type"] == "checkboxes"
    assert [option["value"] for option in element["options"]] == [str(DEMO_ADA_AVAILABLE_REWARD_ID)]
    stack.driver.submit(modal, {ids.REDEEM_BLOCK: [str(DEMO_ADA_AVAILABLE_REWARD_ID)]}, user=OPERATOR)
    done = wait_modal_saying(stack, "Redeemed")
    assert "Free coffee" in render_view(done)
    assert "No rewards left" in render_view(done)
    reward = next(r for r in stack.sandbox.state.members[DEMO_ADA_ID]["rewards"]
                  if r["id"] == DEMO_ADA_AVAILABLE_REWARD_ID)
    assert reward["used_at"]
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome, entry.params) == (
        "redeem", "ok", {"reward_ids": [DEMO_ADA_AVAILABLE_REWARD_ID]})


def test_nothing_to_redeem_is_said_plainly_without_a_submit_button(stack: LocalStack) -> None:
    modal = open_redeem(stack, DEMO_GRACE_ID)
    wait_modal_saying(stack, "nothing to redeem")
    assert not stack.slack.modal(OPERATOR).payload.get("submit")
    assert modal.callback_id == ids.REDEEM_VIEW


def test_a_reward_used_meanwhile_is_explained_and_the_list_read_again(stack: LocalStack) -> None:
    modal = open_redeem(stack, DEMO_ADA_ID)
    stack.services.loyalty.use_rewards(CARD, DEMO_ADA_ID, [DEMO_ADA_AVAILABLE_REWARD_ID])  # a colleague, faster
    stack.driver.submit(modal, {ids.REDEEM_BLOCK: [str(DEMO_ADA_AVAILABLE_REWARD_ID)]}, user=OPERATOR)
    shown = render_view(wait_modal_saying(stack, "already used"))
    assert "nothing to redeem" in shown
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome) == ("redeem", "failed")


def test_many_rewards_are_offered_in_a_multi_select(stack: LocalStack) -> None:
    stack.services.loyalty.add_stamps(CARD, DEMO_GRACE_ID, 121)  # 130 stamps: 13 rewards
    modal = open_redeem(stack, DEMO_GRACE_ID)
    element = next(block for block in modal.blocks if block.get("block_id") == ids.REDEEM_BLOCK)["element"]
    assert element["type"] == "multi_static_select"
    chosen = [option["value"] for option in element["options"][:2]]
    stack.driver.submit(modal, {ids.REDEEM_BLOCK: chosen}, user=OPERATOR)
    assert "11 rewards still available" in render_view(wait_modal_saying(stack, "Redeemed"))
    assert [request.body for request in redeem_requests(stack)] == [{"reward_ids": [int(v) for v in chosen]}]


def test_redeem_button_opens_the_modal_for_operators_and_refuses_viewers(stack: LocalStack) -> None:
    card = member_card(stack, DEMO_ADA_ID, OPERATOR)
    stack.driver.click(card, action_id=ids.MEMBER_REDEEM, user=VIEWER)  # a button the viewer was never shown
    wait_modal_saying(stack, "operator role", user=VIEWER)
    stack.driver.click(card, action_id=ids.MEMBER_REDEEM, user=OPERATOR)
    assert "Free coffee" in render_view(wait_modal_saying(stack, "Rewards to use"))


def test_a_viewer_submitting_a_redeem_modal_is_refused_and_nothing_is_used(stack: LocalStack) -> None:
    card = stack.services.lookup.card(str(CARD))
    ada = stack.services.loyalty.get_member(CARD, DEMO_ADA_ID)
    stack.services.slack.views_open(trigger_id=stack.slack.issue_trigger(VIEWER), view=redeem_modal(card, ada))
    modal = stack.slack.wait_for(lambda: stack.slack.modal(VIEWER))
    stack.driver.submit(modal, {ids.REDEEM_BLOCK: [str(DEMO_ADA_AVAILABLE_REWARD_ID)]}, user=VIEWER)
    wait_modal_saying(stack, "operator role", user=VIEWER)
    assert redeem_requests(stack) == []
    assert stack.services.store.audit.latest() == []


STAMPERS = 40


def test_forty_concurrent_stamps_on_sqlite_all_succeed_while_another_writer_holds_the_lock(
        stack: LocalStack) -> None:
    before = stamps_of(stack, DEMO_ADA_ID)
    writer = sqlite3.connect(stack.database_url.removeprefix("sqlite:///"), isolation_level=None,
                             check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # e.g. a backup, or another process's write
    with ThreadPoolExecutor(max_workers=STAMPERS) as pool:
        acks = list(pool.map(lambda _: stack.driver.command(f"stamp {CARD} {DEMO_ADA_ID}", user=OPERATOR),
                             range(STAMPERS)))
        writer.execute("COMMIT")
    writer.close()
    assert all(ack.ok for ack in acks)
    stack.services.worker.shutdown(wait=True)
    entries = stack.services.store.audit.latest(CARD, limit=100)
    assert [entry.outcome for entry in entries if entry.action == "stamp"] == ["ok"] * STAMPERS
    assert stamps_of(stack, DEMO_ADA_ID) == before + STAMPERS
