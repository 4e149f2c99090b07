"""Scheduled pushes end to end: `push … --at`, approval before the time, sent once and not early, listed by
`scheduled` with Cancel, and a late approval asked whether to send now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from bot.store.models.tables import held_changes
from bot.views import ids
from localstack.slack import Ephemeral, render_message
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN, OPERATOR, VIEWER, private_reply
from tests.app.test_pushes import button, request_push, wait_text
from tests.store.conftest import direct_connection

CARD = DEMO_STAMP_CARD_ID


def _move_time(stack: LocalStack, send_at: datetime) -> None:
    """Set the time of every held push (as if it had been asked for with that time)."""
    with direct_connection(stack.database_url) as db:
        for held_id, params in db.execute(select(held_changes.c.id, held_changes.c.params)).all():
            db.execute(update(held_changes).where(held_changes.c.id == held_id)
                       .values(params={**params, "send_at": send_at.isoformat()}))


def _states(stack: LocalStack) -> list[str]:
    with direct_connection(stack.database_url) as db:
        return list(db.execute(select(held_changes.c.state)).scalars())


def test_a_scheduled_push_shows_its_time_and_goes_out_once_at_that_time_not_before(stack: LocalStack) -> None:
    reply = private_reply(stack, f"push {CARD} --to ada@example.com --at +1m Your coffee is ready", OPERATOR)
    shown = render_message(reply)
    assert "<!date^" in str(reply.blocks)
    assert "Scheduled" in shown
    send_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    _move_time(stack, send_at)
    stack.driver.click(reply, action_id=ids.CONFIRM_RUN, user=OPERATOR)
    wait_text(stack, reply, "Push sent")
    [request] = stack.sandbox.find_requests("POST", "/push-notifications")
    assert request.time >= send_at.timestamp(), "not before its time"
    assert str(DEMO_ADA_ID) in str(request.body)
    assert len(stack.sandbox.state.pushes) == 1
    assert _states(stack) == ["done"]


def test_scheduled_lists_what_waits_and_cancel_is_for_the_requester_or_an_admin(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {CARD} --at +2h Happy hour at six")
    assert "Scheduled for" in render_message(request)
    listed = private_reply(stack, "scheduled", VIEWER)
    assert "waiting for approval" in render_message(listed)
    assert "Happy hour at six" in render_message(listed)
    cancel = button(listed, ids.SCHEDULED_CANCEL)

    stack.driver.click(listed, choice=cancel, user=VIEWER)
    assert "admin" in render_message(stack.driver.wait_reply(VIEWER)).lower()
    assert _states(stack) == ["pending"]

    stack.driver.click(request, action_id=ids.APPROVAL_APPROVE, user=ADMIN)
    wait_text(stack, request, "Approved by")
    assert "approved by" in render_message(private_reply(stack, f"scheduled {CARD}", VIEWER))
    assert stack.sandbox.state.pushes == []

    stack.driver.click(listed, choice=cancel, user=ADMIN)
    wait_text(stack, request, "Cancelled by")
    assert _states(stack) == ["cancelled"]
    assert "No pushes are scheduled" in render_message(private_reply(stack, "scheduled", VIEWER))
    assert stack.sandbox.state.pushes == []


def test_an_approval_after_the_time_asks_whether_to_send_now(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {CARD} --at +1m Lunch special")
    _move_time(stack, datetime.now(UTC) - timedelta(minutes=1))
    stack.driver.click(request, action_id=ids.APPROVAL_APPROVE, user=ADMIN)
    asked = stack.driver.wait_reply(ADMIN)
    assert isinstance(asked, Ephemeral)
    assert "has passed" in render_message(asked)
    assert stack.sandbox.state.pushes == []
    assert _states(stack) == ["pending"]

    stack.driver.click(asked, action_id=ids.APPROVAL_SEND_NOW, user=ADMIN)
    wait_text(stack, request, "and sent")
    assert len(stack.sandbox.state.pushes) == 1


def test_an_unusable_time_is_refused_where_it_was_typed_and_nothing_is_held(stack: LocalStack) -> None:
    for text, words in ((f"push {CARD} --at 25:00 Hi", "not a time of day"),
                        (f"push {CARD} --at tomorrow Hi", "After `--at`"),
                        (f"push {CARD} --at 2020-01-01 09:00 Hi", "already passed")):
        assert words in render_message(private_reply(stack, text, OPERATOR))
    assert _states(stack) == []
