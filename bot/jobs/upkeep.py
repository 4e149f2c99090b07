"""Periodic upkeep, on the engine's schedule (once a minute, run once whichever process takes it).

- Held changes past their expiry are marked expired: an approval request in the channel says so, and an expired
  import's copy of pasted rows is deleted from Slack.
- An import, confirmation or approved push whose job is missing (the process died between the click and the
  enqueue) is enqueued.
- Finished imports' ledgers and finished job records older than LOYALTY_JOB_RETENTION_DAYS are deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from dbos import DBOS, ScheduleInput

from bot.jobs import context
from bot.jobs import held as held_jobs
from bot.jobs import imports as import_jobs

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

SCHEDULE = "0 * * * * *"
"""Cron with seconds: every minute, on the minute."""
FINISHED = ["SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]
PRUNE_BATCH = 500


QUEUE = "upkeep"


@DBOS.workflow(name="upkeep")
def upkeep(scheduled_at: datetime, _context: Any) -> None:
    with context.running():
        expire_held()
        resume_imports()
        held_jobs.resume()  # changes claimed but never handed to their job (the process died in between)
        cutoff = scheduled_at - timedelta(days=context.services().settings.loyalty_job_retention_days)
        prune_ledgers(cutoff.isoformat())
        # Recorded as steps of this workflow by the engine itself.
        old = DBOS.list_workflows(status=FINISHED, completed_before=cutoff.isoformat(), limit=PRUNE_BATCH,
                                  load_input=False, load_output=False)
        if old:
            DBOS.delete_workflows([workflow.workflow_id for workflow in old])
            log.info("upkeep: pruned %d finished job record(s)", len(old))


@DBOS.step(name="upkeep.expire")
def expire_held() -> int:
    """Expire what waited too long for its click: approval requests in the channel lose their buttons, and the
    copy of pasted rows (contact details) an expired import kept in Slack is deleted."""
    from bot import pushes
    from bot.imports.run import ACTION as IMPORT
    from bot.imports.source import forget_pasted

    services = context.services()
    expired = services.store.held.expire()
    for change in expired:
        if change.kind == "approval" and change.message_ts:
            pushes.show_request(services, change)
        elif change.action == IMPORT and change.params.get("pasted"):
            forget_pasted(services.slack, str(change.params["file_id"]))
    if expired:
        log.info("upkeep: %d held change(s) expired", len(expired))
    return len(expired)


def resume_imports() -> int:
    """Enqueue the job of every running import (a second enqueue of the same import attaches to the first).

    Enqueued from the workflow's body, not from a step: the engine starts a workflow from a workflow only."""
    running = running_imports()
    for import_id in running:
        import_jobs.enqueue(import_id)
    return len(running)


@DBOS.step(name="upkeep.imports")
def running_imports() -> list[str]:
    return context.services().store.imports.running()


@DBOS.step(name="upkeep.ledgers")
def prune_ledgers(cutoff: str) -> int:
    """Delete the ledgers of imports finished before `cutoff` (their rows were forgotten when they ended)."""
    deleted = context.services().store.imports.delete_finished_before(datetime.fromisoformat(cutoff))
    if deleted:
        log.info("upkeep: pruned %d finished import ledger(s)", deleted)
    return deleted


def schedule(settings: Settings | None) -> None:
    """Register the schedules, upkeep and (when a digest channel is set) the weekly digest; idempotent: every
    process applies the same set."""
    from bot.jobs import digest

    schedules: list[ScheduleInput] = [
        {"schedule_name": "upkeep", "workflow_fn": upkeep, "schedule": SCHEDULE, "queue_name": QUEUE}]
    if settings is not None and settings.loyalty_digest_channel:
        schedules.append({"schedule_name": "digest", "workflow_fn": digest.digest,
                          "schedule": digest.cron(settings.loyalty_digest_cron),
                          "cron_timezone": settings.loyalty_timezone, "queue_name": digest.QUEUE})
    DBOS.apply_schedules(schedules)
