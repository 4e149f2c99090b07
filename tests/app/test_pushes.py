"""Pushes end to end: approval in the approvals channel by a second admin, or a confirmation for a few members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.sandbox import DEMO_ADA_ID, DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from bot.store.models.tables import held_changes
from bot.views import ids
from localstack.slack import Control, Ephemeral, Message, controls, render_message
from localstack.stack import APPROVALS, GENERAL, LocalStack
from tests.app.helpers import ADMIN, ADMIN2, OPERATOR, VIEWER, private_reply
from tests.store.conftest import direct_connection

CARD = DEMO_STAMP_CARD_ID


def command(stack: LocalStack, text: str, user: str = OPERATOR) -> Ephemeral:
    return private_reply(stack, text, user)


def request_push(stack: LocalStack, text: str, user: str = OPERATOR) -> tuple[Ephemeral, Message]:
    """Ask for a push that needs approval: the requester's reply and the request in the approvals channel."""
    reply = command(stack, text, user)
    return reply, stack.slack.wait_for(lambda: next(iter(stack.slack.messages(APPROVALS)), None))


def button(message: Message | Ephemeral, action_id: str) -> Control:
    return next(c for c in controls(message.blocks) if c.action_id == action_id)


def wait_text(stack: LocalStack, message: Message | Ephemeral, words: str) -> str:
    def shown() -> str | None:
        text = render_message(message)
        return text if words in text else None

    return stack.slack.wait_for(shown, what=f"{words!r} in the message")


def active_members(stack: LocalStack) -> int:
    return sum(1 for m in stack.sandbox.state.members.values() if m["card_id"] == CARD and not m["voided_at"])


def test_broadcast_posts_an_approval_request_with_the_count_and_sends_nothing(stack: LocalStack) -> None:
    text = "Double stamps this weekend!"
    reply, request = request_push(stack, f"push {CARD} {text}")
    shown = render_message(request)
    assert text in shown
    assert f"{active_members(stack)} members" in shown
    assert f"{len(text)} characters" in shown
    assert OPERATOR in shown
    approve = button(request, ids.APPROVAL_APPROVE)
    assert approve.element["style"] == "primary"
    assert approve.element["confirm"]
    assert {c.action_id for c in controls(request.blocks)} >= {ids.APPROVAL_REJECT, ids.APPROVAL_CANCEL}
    assert "Sent for approval" in render_message(reply)
    assert f"/archives/{APPROVALS}/" in render_message(reply)  # the link to the request
    assert stack.sandbox.state.pushes == []


def test_requester_and_operators_cannot_approve_a_second_admin_can_once(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {CARD} Hello everyone", user=ADMIN)
    approve = button(request, ids.APPROVAL_APPROVE)
    stack.driver.click(request, choice=approve, user=ADMIN)
    assert "another admin" in render_message(stack.driver.wait_reply(ADMIN))
    stack.driver.click(request, choice=approve, user=OPERATOR)
    assert "LOYALTY_ADMINS" in render_message(stack.driver.wait_reply(OPERATOR))
    assert stack.sandbox.state.pushes == []

    stack.driver.click(request, choice=approve, user=ADMIN2)
    shown = wait_text(stack, request, "and sent")
    assert ADMIN2 in shown
    assert f"delivered it to {active_members(stack)} members" in shown
    assert not controls(request.blocks)
    [push] = stack.sandbox.state.pushes
    assert (push["message"], push["recipient_ids"]) == ("Hello everyone", None)
    told = stack.slack.wait_for(lambda: next((e for e in stack.slack.ephemerals(ADMIN, GENERAL)
                                              if "Approved by" in render_message(e)), None))
    assert "Hello everyone" in render_message(told)

    stack.driver.click(request, choice=approve, user=ADMIN2)
    assert "Approved by" in render_message(stack.driver.wait_reply(ADMIN2))
    assert len(stack.sandbox.find_requests("POST", "/push-notifications")) == 1
    entry = stack.services.store.audit.latest()[0]
    assert (entry.action, entry.actor, entry.outcome) == ("push", ADMIN2, "ok")


def test_reject_asks_a_reason_and_tells_the_requester(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {CARD} Buy now!!!")
    approve = button(request, ids.APPROVAL_APPROVE)
    stack.driver.click(request, action_id=ids.APPROVAL_REJECT, user=ADMIN)
    form = stack.slack.wait_for_modal(ADMIN, callback_id=ids.APPROVAL_REJECT_VIEW)
    stack.driver.submit(form, {ids.APPROVAL_REASON_BLOCK: "Too pushy for a Monday"}, user=ADMIN)
    shown = wait_text(stack, request, "Rejected by")
    assert "Too pushy for a Monday" in shown
    told = stack.slack.wait_for(lambda: next((e for e in stack.slack.ephemerals(OPERATOR, GENERAL)
                                              if "Rejected" in render_message(e)), None))
    assert "Too pushy for a Monday" in render_message(told)
    stack.driver.click(request, choice=approve, user=ADMIN2)
    assert "Rejected" in render_message(stack.driver.wait_reply(ADMIN2))
    assert stack.sandbox.state.pushes == []


def test_only_the_requester_can_cancel(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {CARD} Oops, wrong card")
    approve, cancel = button(request, ids.APPROVAL_APPROVE), button(request, ids.APPROVAL_CANCEL)
    stack.driver.click(request, choice=cancel, user=ADMIN)
    assert "Only the person who asked" in render_message(stack.driver.wait_reply(ADMIN))
    stack.driver.click(request, choice=cancel, user=OPERATOR)
    wait_text(stack, request, "Cancelled by")
    stack.driver.click(request, choice=approve, user=ADMIN2)
    assert "Cancelled" in render_message(stack.driver.wait_reply(ADMIN2))
    assert stack.sandbox.state.pushes == []


def test_an_expired_request_answers_expired_and_loses_its_buttons(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {CARD} Yesterday's news")
    approve = button(request, ids.APPROVAL_APPROVE)
    with direct_connection(stack.database_url) as db:
        db.execute(update(held_changes).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    stack.driver.click(request, choice=approve, user=ADMIN2)
    assert "expired" in render_message(stack.driver.wait_reply(ADMIN2)).lower()
    wait_text(stack, request, "Expired")
    assert not controls(request.blocks)
    assert stack.sandbox.state.pushes == []


def test_without_an_approvals_channel_broadcasts_are_refused_with_how_to_configure(tmp_path) -> None:
    with LocalStack(workdir=tmp_path, loyalty_approvals_channel=None) as stack:
        shown = render_message(command(stack, f"push {CARD} Hello"))
        assert "LOYALTY_APPROVALS_CHANNEL" in shown
        assert stack.slack.calls("chat.postMessage") == []
        assert stack.services.store.held.expire_due() == 0  # no request was stored
        assert stack.sandbox.state.pushes == []


def test_a_request_that_cannot_be_posted_is_cancelled_and_the_requester_told(stack: LocalStack) -> None:
    stack.slack.fail("chat.postMessage", status=500)
    shown = render_message(command(stack, f"push {CARD} Hello"))
    assert "couldn't post the approval request" in shown
    with direct_connection(stack.database_url) as db:
        assert db.execute(select(held_changes.c.state)).scalars().all() == ["cancelled"]
    assert stack.slack.messages(APPROVALS) == []


def test_targeted_push_to_few_members_needs_only_a_confirmation(stack: LocalStack) -> None:
    text = "Your free coffee is waiting <3 & see you *soon*"
    reply = command(stack, f"push {CARD} --to ada@example.com,{DEMO_GRACE_ID} {text}")
    shown = render_message(reply)
    assert "Ada Lovelace" in shown
    assert "Grace Hopper" in shown
    preview = [b for b in reply.blocks if b.get("text", {}).get("type") == "plain_text"]
    assert [b["text"]["text"] for b in preview] == [text]  # shown exactly, inert
    assert stack.sandbox.state.pushes == []
    assert stack.slack.messages(APPROVALS) == []
    stack.driver.click(reply, action_id=ids.CONFIRM_RUN, user=OPERATOR)
    wait_text(stack, reply, "Push sent")
    [push] = stack.sandbox.state.pushes
    assert (push["message"], push["recipient_ids"]) == (text, [DEMO_ADA_ID, DEMO_GRACE_ID])


def test_targeted_push_above_the_threshold_goes_to_approval(tmp_path) -> None:
    with LocalStack(workdir=tmp_path, loyalty_push_approval_threshold=1) as stack:
        _, request = request_push(stack, f"push {CARD} --to {DEMO_ADA_ID},{DEMO_GRACE_ID} Hi you two")
        assert "2 chosen members" in render_message(request)
        stack.driver.click(request, action_id=ids.APPROVAL_APPROVE, user=ADMIN)
        wait_text(stack, request, "and sent")
        [push] = stack.sandbox.state.pushes
        assert push["recipient_ids"] == [DEMO_ADA_ID, DEMO_GRACE_ID]
        assert stack.services.store.audit.latest()[0].member_ids == (DEMO_ADA_ID, DEMO_GRACE_ID)


def test_an_unknown_member_in_the_list_stops_the_whole_push(stack: LocalStack) -> None:
    shown = render_message(command(stack, f"push {CARD} --to {DEMO_ADA_ID},nobody@example.com Hi"))
    assert "Nothing was sent" in shown
    assert "nobody@example.com" in shown
    assert stack.sandbox.state.pushes == []
    assert stack.slack.messages(APPROVALS) == []


def test_viewers_cannot_ask_for_a_push(stack: LocalStack) -> None:
    assert "LOYALTY_OPERATORS" in render_message(command(stack, f"push {CARD} Hi", user=VIEWER))
    assert stack.slack.messages(APPROVALS) == []


def test_a_message_longer_than_a_section_is_previewed_whole(stack: LocalStack) -> None:
    text = ("Dear member, <b> & 🎉 *not bold* " * 200)[:3900].strip()
    typed = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # as Slack sends what people type
    _, request = request_push(stack, f"push {CARD} {typed}")
    preview = "".join(b["text"]["text"] for b in request.blocks
                      if b["type"] == "section" and b.get("text", {}).get("type") == "plain_text")
    assert preview == text  # split over sections, not cut; the stack fixture checks Slack would accept it
