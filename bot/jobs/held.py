"""A claimed confirmation or approval (a push, a void, a delete), carried out once by a durable job.

The click claims the held change (pending -> executing, one conditional UPDATE) and enqueues this workflow
under `held-<id>`, so it runs once whichever process takes it. Its first step goes through the change's own
ledger: the change is marked sent (committed) before the API call, then finished done / failed / unknown with
its audit row. A step that finds the change already sent was interrupted with the call on the wire (a crash, a
kill): it never sends again, it records "unknown" and says how to check. The second step tells the people
concerned, as the click did before: the confirmation replaced through its response URL, or the approval
request in the channel edited and the requester told.

Workflow inputs are ids and a URL, never contact details.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID
from slack_sdk.webhook import WebhookClient

from bot import held, pushes
from bot.errors import describe
from bot.interaction import Interaction
from bot.jobs import context
from bot.store import HeldChange

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

QUEUE = "pushes"
LOST_AFTER = timedelta(minutes=1)
"""A change executing this long after its click with no job is picked up by upkeep (`resume`)."""


def workflow_id(held_id: str) -> str:
    return f"held-{held_id}"


def enqueue(held_id: str, request_id: str, response_url: str | None = None, *,
            send_at: datetime | None = None) -> None:
    """Start the change's job, once: a second enqueue of the same change attaches to the first. A scheduled
    change waits in the queue until `send_at`."""
    queue = DBOS.retrieve_queue(QUEUE)
    if queue is None:
        raise RuntimeError(f"the {QUEUE!r} queue is not declared: the job engine has not started")
    delay = _until(send_at)
    with SetWorkflowID(workflow_id(held_id)), SetEnqueueOptions(delay_seconds=delay or None):
        queue.enqueue(carry_out, held_id, request_id, response_url)


def cancel(held_id: str) -> None:
    """Cancel the change's job (a scheduled push withdrawn before its time); no job is no harm."""
    try:
        DBOS.cancel_workflow(workflow_id(held_id))
    except Exception:
        log.info("no job to cancel for held change %s", held_id)


def _until(send_at: datetime | None) -> float:
    """Seconds from now to `send_at` (0 when unscheduled or due)."""
    return max(0.0, (send_at - datetime.now(UTC)).total_seconds()) if send_at else 0.0


def resume(now: datetime | None = None) -> int:
    """For upkeep: enqueue the job of every change claimed over `LOST_AFTER` ago and still executing (the process
    died between the claim and the enqueue); a change whose job exists attaches to it."""
    services = context.services()
    lost = services.store.held.executing((now or datetime.now(UTC)) - LOST_AFTER)
    resumed = 0
    for held_id in lost:
        change = services.store.held.get(held_id)
        if change is None or not _carried_out_here(change):
            continue  # an import's confirmation stays executing while its own job runs
        enqueue(held_id, f"resumed-{held_id[:8]}", send_at=change.send_at)
        resumed += 1
    return resumed


def _carried_out_here(change: HeldChange) -> bool:
    """A push approval, or a confirmation of a void, delete or push (not an import's: bot.jobs.imports)."""
    return change.kind == "approval" or held.Plan.of(change) is not None


@DBOS.workflow(name="held")
def carry_out(held_id: str, request_id: str, response_url: str | None) -> str:
    # Never early, however the job was started: a durable sleep until its time (always taken, even of 0 s, so
    # the order of steps is the same on every run).
    send_at = _send_at(held_id)
    DBOS.sleep(_until(datetime.fromisoformat(send_at) if send_at else None))
    sent = _send(held_id, request_id)
    _tell(held_id, request_id, response_url, sent.get("problem"))
    return str(sent["outcome"])


@DBOS.step(name="held.when")
def _send_at(held_id: str) -> str | None:
    """When a scheduled change goes out (ISO), else None."""
    change = context.services().store.held.get(held_id)
    return change.send_at.isoformat() if change and change.send_at else None


@DBOS.step(name="held.send")
def _send(held_id: str, request_id: str) -> dict[str, Any]:
    """Carry the change out, or settle it as unknown when an earlier run already sent it."""
    services = context.services()
    change = services.store.held.get(held_id)
    if change is None or change.state != "executing" or not _carried_out_here(change):
        return {"outcome": change.state if change else "missing"}
    if change.sent_at is not None:
        log.warning("held change %s was sent by a run that never finished: recorded unknown, not sent again",
                    held_id)
        return {"outcome": held.settle_interrupted(services, change).state}
    ran = held.execute(services, _who(services, change, request_id), change)
    problem = describe(ran.error, request_id) if ran.error and ran.outcome == "failed" else None
    return {"outcome": ran.outcome, "problem": problem}


@DBOS.step(name="held.tell", retries_allowed=True, max_attempts=3, interval_seconds=1.0)
def _tell(held_id: str, request_id: str, response_url: str | None, problem: str | None) -> None:
    """Tell the people concerned how the change ended."""
    from bot.views.confirmations import finished_message

    services = context.services()
    change = services.store.held.get(held_id)
    if change is None or change.state in ("pending", "executing"):
        return
    if change.kind == "approval":
        pushes.show_request(services, change)
        pushes.tell_requester(services, change)
        return
    plan = held.Plan.of(change)
    if plan is None:
        return
    message = finished_message(plan, change, problem, request_id)
    if response_url:
        payload = message.to_dict()
        answer = WebhookClient(response_url).send(text=payload["text"], blocks=payload.get("blocks"),
                                                 response_type="ephemeral", replace_original=True)
        if answer.status_code == 200:
            return
        log.info("could not replace confirmation %s (HTTP %s); telling the requester", held_id, answer.status_code)
    pushes.tell(services, change.requester, change.channel_id, message, about=held_id)


def _who(services: Services, change: HeldChange, request_id: str) -> Interaction:
    """The click, as the audit log records it: who claimed the change, where it was asked for."""
    return Interaction(user_id=change.claimed_by or change.requester, client=services.slack,
                       team_id=change.team_id, channel_id=change.channel_id, request_id=request_id)
