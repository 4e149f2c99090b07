"""Void and delete end to end: a confirmation first, then exactly one API call for the one click that counts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.sandbox import DEMO_ADA_ID, DEMO_ALAN_ID, DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from bot.store.models.tables import held_changes
from bot.views import ids
from localstack.slack import Control, Ephemeral, controls, render_message
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN, ADMIN2, OPERATOR, VIEWER, private_reply
from tests.store.conftest import direct_connection

CARD = DEMO_STAMP_CARD_ID


def ask(stack: LocalStack, text: str, user: str = ADMIN) -> Ephemeral:
    return private_reply(stack, text, user)


def button(reply: Ephemeral, action_id: str) -> Control:
    """The button as first shown, so it can be clicked again after the message was replaced."""
    return next(c for c in controls(reply.blocks) if c.action_id == action_id)


def wait_text(stack: LocalStack, reply: Ephemeral, words: str) -> str:
    def shown() -> str | None:
        text = render_message(reply)
        return text if words in text else None

    return stack.slack.wait_for(shown, what=f"{words!r} in the message")


def voids(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("PUT", "/void")


def test_void_asks_for_confirmation_and_sends_nothing_before_the_click(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} grace@example.com")
    shown = render_message(reply)
    assert "Grace Hopper" in shown
    assert f"member {DEMO_GRACE_ID}" in shown
    assert "Coffee Club" in shown
    assert "cannot be undone" in shown
    run = button(reply, ids.CONFIRM_RUN)
    assert run.element["style"] == "danger"
    assert run.element["confirm"]["title"]["text"]
    assert len(run.element["value"]) == 32  # only the confirmation's id travels in the button
    assert button(reply, ids.CONFIRM_CANCEL)
    assert not [r for r in stack.sandbox.requests if r.method != "GET"]
    assert stack.services.store.audit.latest() == []


def test_click_voids_the_member_once_and_records_it(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    stack.driver.click(reply, action_id=ids.CONFIRM_RUN, user=ADMIN)
    assert "Grace Hopper" in wait_text(stack, reply, "Done")
    assert stack.sandbox.state.members[DEMO_GRACE_ID]["voided_at"] is not None
    assert len(voids(stack)) == 1
    entry = stack.services.store.audit.latest()[0]
    assert (entry.action, entry.outcome, entry.card_id, entry.member_ids, entry.actor) == (
        "void", "ok", CARD, (DEMO_GRACE_ID,), ADMIN)


def test_second_click_on_void_does_not_call_the_api(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    run = button(reply, ids.CONFIRM_RUN)
    stack.driver.click(reply, choice=run, user=ADMIN)
    wait_text(stack, reply, "Done")
    stack.driver.click(reply, choice=run, user=ADMIN)
    assert "already done" in render_message(stack.driver.wait_reply(ADMIN))
    assert len(voids(stack)) == 1
    assert len(stack.services.store.audit.latest()) == 1


def test_a_viewer_or_operator_clicking_an_admins_button_changes_nothing(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    run = button(reply, ids.CONFIRM_RUN)
    for user in (VIEWER, OPERATOR):
        stack.driver.click(reply, choice=run, user=user)
        assert "LOYALTY_ADMINS" in render_message(stack.driver.wait_reply(user))
    assert voids(stack) == []
    stack.driver.click(reply, choice=run, user=ADMIN)  # still open for the admin who asked
    wait_text(stack, reply, "Done")
    assert len(voids(stack)) == 1


def test_another_admin_cannot_use_someone_elses_confirmation(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    stack.driver.click(reply, choice=button(reply, ids.CONFIRM_RUN), user=ADMIN2)
    assert "belongs to the person who asked" in render_message(stack.driver.wait_reply(ADMIN2))
    assert voids(stack) == []


def test_cancel_closes_the_confirmation_without_calling_the_api(stack: LocalStack) -> None:
    reply = ask(stack, f"delete {CARD} {DEMO_GRACE_ID}")
    run = button(reply, ids.CONFIRM_RUN)
    stack.driver.click(reply, action_id=ids.CONFIRM_CANCEL, user=ADMIN)
    wait_text(stack, reply, "Cancelled")
    stack.driver.click(reply, choice=run, user=ADMIN)
    assert "cancelled" in render_message(stack.driver.wait_reply(ADMIN))
    assert stack.sandbox.find_requests("DELETE") == []
    assert DEMO_GRACE_ID in stack.sandbox.state.members


def test_a_click_after_expiry_does_nothing(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    run = button(reply, ids.CONFIRM_RUN)
    with direct_connection(stack.database_url) as db:
        db.execute(update(held_changes).where(held_changes.c.id == run.element["value"])
                   .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    stack.driver.click(reply, choice=run, user=ADMIN)
    assert "expired" in wait_text(stack, reply, "expired")
    assert not controls(reply.blocks)  # the buttons are gone
    assert voids(stack) == []
    assert stack.sandbox.state.members[DEMO_GRACE_ID]["voided_at"] is None


def test_a_lost_answer_leaves_the_confirmation_unknown_and_not_runnable_again(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    run = button(reply, ids.CONFIRM_RUN)
    stack.sandbox.faults.drop(path="/void")
    stack.driver.click(reply, choice=run, user=ADMIN)
    shown = wait_text(stack, reply, "can't tell")
    assert f"/loyalty member {CARD} {DEMO_GRACE_ID}" in shown
    stored = stack.services.store.held.get(run.element["value"])
    assert stored is not None
    assert stored.state == "unknown"
    assert stack.services.store.audit.latest()[0].outcome == "unknown"
    stack.driver.click(reply, choice=run, user=ADMIN)
    assert "already done" in render_message(stack.driver.wait_reply(ADMIN))
    assert len(voids(stack)) == 1


def test_twenty_concurrent_clicks_make_exactly_one_api_call(stack: LocalStack) -> None:
    reply = ask(stack, f"void {CARD} {DEMO_GRACE_ID}")
    run = button(reply, ids.CONFIRM_RUN)
    since = stack.slack.mark()
    barrier = threading.Barrier(20)

    def click() -> int:
        barrier.wait(timeout=30)
        return stack.driver.click(reply, choice=run, user=ADMIN).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert [f.result() for f in [pool.submit(click) for _ in range(20)]] == [200] * 20
    # every click is answered: the winner's job replaces the message, the others are told it already ran
    stack.slack.wait_for(lambda: len(stack.slack.calls("response_url", since=since)) >= 20, timeout=30)
    wait_text(stack, reply, "Done")
    assert len(voids(stack)) == 1
    assert len(stack.services.store.audit.latest()) == 1


def test_delete_after_confirmation_removes_the_member(stack: LocalStack) -> None:
    reply = ask(stack, f"delete {CARD} ada@example.com")
    assert "Delete" in render_message(reply)
    stack.driver.click(reply, action_id=ids.CONFIRM_RUN, user=ADMIN)
    wait_text(stack, reply, "Done")
    assert DEMO_ADA_ID not in stack.sandbox.state.members
    assert len(stack.sandbox.find_requests("DELETE")) == 1
    entry = stack.services.store.audit.latest()[0]
    assert (entry.action, entry.outcome, entry.member_ids) == ("delete", "ok", (DEMO_ADA_ID,))


def test_member_card_void_button_leads_to_the_same_confirmation(stack: LocalStack) -> None:
    card = ask(stack, f"member {CARD} {DEMO_GRACE_ID}")
    stack.driver.click(card, action_id=ids.MEMBER_VOID, user=ADMIN)
    confirmation = stack.driver.wait_reply(ADMIN)
    assert isinstance(confirmation, Ephemeral)
    assert "cannot be undone" in render_message(confirmation)
    assert voids(stack) == []
    stack.driver.click(confirmation, action_id=ids.CONFIRM_RUN, user=ADMIN)
    wait_text(stack, confirmation, "Done")
    assert len(voids(stack)) == 1


def test_only_admins_may_ask_to_void_or_delete(stack: LocalStack) -> None:
    for text in (f"void {CARD} {DEMO_GRACE_ID}", f"delete {CARD} {DEMO_GRACE_ID}"):
        assert "LOYALTY_ADMINS" in render_message(ask(stack, text, user=OPERATOR))
    assert "Delete" not in render_message(ask(stack, f"member {CARD} {DEMO_GRACE_ID}", user=OPERATOR))
    card = ask(stack, f"member {CARD} {DEMO_GRACE_ID}", user=ADMIN)
    stack.driver.click(card, action_id=ids.MEMBER_DELETE, user=OPERATOR)  # still checked at the click
    assert "LOYALTY_ADMINS" in render_message(stack.driver.wait_reply(OPERATOR))
    assert stack.services.store.audit.latest() == []


def test_voiding_a_voided_card_says_there_is_nothing_to_do(stack: LocalStack) -> None:
    assert "already voided" in render_message(ask(stack, f"void {CARD} {DEMO_ALAN_ID}"))
    assert voids(stack) == []
