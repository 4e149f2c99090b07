"""The job that carries out a claimed change: picked up by upkeep when the click's enqueue was lost, and never
sending a change an earlier run already sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import held
from bot.jobs import held as held_jobs
from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from bot.store import HeldChange
from bot.views import ids
from localstack.slack import controls, render_message
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN, private_reply

CARD = DEMO_STAMP_CARD_ID


def _asked(stack: LocalStack) -> HeldChange:
    """A confirmation to void Grace, asked for through Slack and not clicked."""
    reply = private_reply(stack, f"void {CARD} {DEMO_GRACE_ID}", ADMIN)
    run = next(c for c in controls(reply.blocks) if c.action_id == ids.CONFIRM_RUN)
    found = stack.services.store.held.get(run.element["value"])
    assert found is not None
    assert found.state == "pending"
    return found


def _finished(stack: LocalStack, held_id: str) -> HeldChange:
    def done() -> HeldChange | None:
        change = stack.services.store.held.get(held_id)
        return change if change is not None and change.state not in ("pending", "executing") else None

    return stack.slack.wait_for(done, timeout=30, what="the change finished")


def test_a_change_claimed_without_a_job_is_carried_out_once_by_the_upkeep_sweep(stack: LocalStack) -> None:
    asked = _asked(stack)
    clicked_at = datetime.now(UTC) - held_jobs.LOST_AFTER - timedelta(seconds=5)
    assert stack.services.store.held.claim(asked.id, by=ADMIN, now=clicked_at) is not None
    assert held_jobs.resume(clicked_at + held_jobs.LOST_AFTER) == 0, "not yet taken for lost"

    assert held_jobs.resume() == 1
    assert _finished(stack, asked.id).state == "done"
    assert held_jobs.resume() == 0
    assert len(stack.sandbox.find_requests("PUT", "/void")) == 1
    told = stack.slack.wait_for(lambda: next((e for e in stack.slack.ephemerals(ADMIN)
                                              if "was voided" in render_message(e)), None), timeout=15)
    assert "Grace Hopper" in render_message(told)


def test_a_change_found_already_sent_is_recorded_unknown_and_never_sent_again(stack: LocalStack) -> None:
    asked = _asked(stack)
    store = stack.services.store
    assert store.held.claim(asked.id, by=ADMIN) is not None
    entry = store.audit.begin(actor=ADMIN, team_id=None, channel_id=None, action="void", card_id=CARD,
                              member_ids=[DEMO_GRACE_ID], params={"confirmation": asked.id}, request_id="r1")
    assert store.held.mark_sending(asked.id, audit_id=entry)
    assert not store.held.mark_sending(asked.id), "sent once only"

    held_jobs.enqueue(asked.id, "r2")
    finished = _finished(stack, asked.id)
    assert (finished.state, finished.detail) == ("unknown", held.RESTARTED)
    audit = store.audit.get(entry)
    assert audit is not None
    assert (audit.outcome, audit.detail) == ("unknown", held.RESTARTED)
    assert stack.sandbox.find_requests("PUT", "/void") == []
    told = stack.slack.wait_for(lambda: next((e for e in stack.slack.ephemerals(ADMIN)
                                              if "restarted while sending" in render_message(e)), None), timeout=15)
    assert f"/loyalty member {CARD} {DEMO_GRACE_ID}" in render_message(told)


def test_the_sweep_leaves_an_import_confirmation_to_the_import_job(stack: LocalStack) -> None:
    store = stack.services.store
    change = store.held.create(kind="confirmation", action="import", params={"card_id": CARD, "rows": 2},
                               requester=ADMIN, team_id=None, channel_id=None, ttl=timedelta(minutes=15))
    clicked_at = datetime.now(UTC) - held_jobs.LOST_AFTER - timedelta(seconds=5)
    assert store.held.claim(change.id, by=ADMIN, now=clicked_at) is not None
    assert held_jobs.resume() == 0
    still = store.held.get(change.id)
    assert still is not None
    assert still.state == "executing"
