"""A durable import: the rows fixed at the click, every chunk sent once, and a report whatever happens between.

The click stores the import and its chunks (`ImportLedger`) and enqueues this workflow under the import's id,
so it runs once whichever process takes it. Each chunk is one step:

    pending -> sending (committed before the API call) -> done / failed / unknown

A step that finds its chunk already "sending" was interrupted with the chunk on the wire (a crash, a kill, a
deploy's SIGKILL) or got no answer: it never resends blindly. It reconciles the chunk row by row with a strict
search of the card by email, else phone: rows found count as created, rows not found are sent again, rows with
neither are reported unknown. The conversation's progress message carries on and says it resumed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dbos import DBOS, SetWorkflowID

from bot.coupontools import CoupontoolsError, OutcomeUnknown
from bot.coupontools.bulk import stops_import
from bot.coupontools.models import CreatedMember
from bot.errors import describe
from bot.imports.run import ACTION, ChunkFailure, Report, Throttle, chunk_reason, report_csv
from bot.jobs import context

if TYPE_CHECKING:
    from bot.imports.check import Checked
    from bot.interaction import Interaction
    from bot.services import Services
from bot.store.imports import CHUNK_DONE, ChunkRecord, ImportRecord

log = logging.getLogger(__name__)

QUEUE = "imports"

_throttles: dict[str, Throttle] = {}
"""Per import, in this process: progress edits Slack can take (at most one a second)."""
_seen: set[str] = set()
"""Imports this process has worked on: one it meets with progress already made was resumed after a restart."""


def start(services: Services, who: Interaction, import_id: str, card_id: int, checked: Checked, *,
          duplicates: bool = False) -> None:
    """At the click: one audit row, the import and its chunks in the ledger, then the job that sends them (the
    duplicates too when `duplicates`, else they are skipped like rows with problems)."""
    chunk_size = services.settings.loyalty_import_chunk_size
    good = checked.to_send(duplicates=duplicates)
    skipped = checked.problem_rows + (0 if duplicates else len(checked.duplicates))
    entry = services.store.audit.begin(
        actor=who.user_id, team_id=who.team_id, channel_id=who.channel_id, action=ACTION, card_id=card_id,
        params={"rows": len(good), "chunks": -(-len(good) // chunk_size), "chunk_size": chunk_size,
                "skipped": checked.problem_rows, "duplicates": len(checked.duplicates),
                "duplicates_sent": duplicates},
        request_id=who.request_id,
    )
    services.store.imports.create(
        import_id, card_id=card_id, requester=who.user_id, team_id=who.team_id,
        channel_id=who.channel_id or who.user_id, fields=checked.table.fields, chunk_size=chunk_size,
        rows=checked.total, skipped=skipped, good=good, audit_id=entry,
    )
    enqueue(import_id)


def enqueue(import_id: str) -> None:
    """Start the import's workflow, once: a second enqueue of the same id attaches to the first."""
    queue = DBOS.retrieve_queue(QUEUE)
    if queue is None:
        raise RuntimeError(f"the {QUEUE!r} queue is not declared: the job engine has not started")
    with SetWorkflowID(f"import-{import_id}"):
        queue.enqueue(import_workflow, import_id)


@DBOS.workflow(name="import")
def import_workflow(import_id: str) -> str:
    with context.running():
        chunks = _announce(import_id)
        for number in range(chunks):
            try:
                go_on = _send_chunk(import_id, number)
            except Exception:  # no answer after every attempt: the chunk is unknown, the rest is not sent
                go_on = _give_up(import_id, number)
            if not go_on:
                break
        return _report(import_id)


@DBOS.step(name="import.announce")
def _announce(import_id: str) -> int:
    """Post the progress message (or, after a restart, edit it to say the import resumed); the chunk count."""
    record = _record(import_id)
    _progress(record, force=True)
    return record.chunks


@DBOS.step(name="import.chunk", retries_allowed=True, max_attempts=3, interval_seconds=2.0, backoff_rate=2.0)
def _send_chunk(import_id: str, number: int) -> bool:
    """Send one chunk through its ledger; False when an error stops the import (the rest is not sent).

    Raises OutcomeUnknown when the API did not answer: the chunk stays "sending" and the next attempt
    reconciles it."""
    ledger = context.services().store.imports
    record = _record(import_id)
    chunk = ledger.chunk(import_id, number)
    if chunk is None or record.stopped_by is not None:
        return False
    if chunk.state not in CHUNK_DONE:
        if chunk.state == "sending":
            _reconcile(record, chunk)
        elif ledger.mark_sending(import_id, number):
            _send(record, chunk, range(chunk.size))
    record = _record(import_id)
    _progress(record)
    return record.stopped_by is None


def _send(record: ImportRecord, chunk: ChunkRecord, rows: Sequence[int], found: Sequence[CreatedMember] = (),
          unknown: Sequence[int] = ()) -> None:
    """Send `rows` (indexes into the chunk) in one call and settle the chunk with what came back, plus the members
    `found` by a lookup; rows `unknown` (no way to look them up) make the chunk's outcome unknown."""
    ledger = context.services().store.imports
    cells = chunk.rows or ()
    body = [{name: value for name, value in zip(record.fields, cells[index], strict=True) if value}
            for index in rows]
    created = list(found)
    try:
        if body:
            created += context.services().loyalty.create_chunk(record.card_id, body)
    except OutcomeUnknown:
        raise  # stays "sending": the next attempt (or the next start) reconciles it row by row
    except CoupontoolsError as error:
        lines = [chunk.lines[index] for index in rows]
        ledger.settle(record.id, chunk.number, "failed", created=_triples(created),
                      reason=chunk_reason(error, lines))
        if stops_import(error):
            ledger.stop(record.id, describe(error))
        return
    if unknown:
        ledger.settle(record.id, chunk.number, "unknown", created=_triples(created), reason=chunk_reason(
            OutcomeUnknown("no email or phone to look the row up by"), [chunk.lines[index] for index in unknown]))
        return
    ledger.settle(record.id, chunk.number, "done", created=_triples(created))


def _reconcile(record: ImportRecord, chunk: ChunkRecord) -> None:
    """A chunk that may have reached the API: look each row up before sending anything again."""
    loyalty = context.services().loyalty
    cells = chunk.rows or ()
    found: list[CreatedMember] = []
    resend: list[int] = []
    unknown: list[int] = []
    for index, row in enumerate(cells):
        values = dict(zip(record.fields, row, strict=True))
        key = values.get("email") or values.get("phone")
        if not key:
            unknown.append(index)
            continue
        match = next((m for m in loyalty.search_members(record.card_id, key, strict=True)
                      if key.casefold() in {(m.email or "").casefold(), (m.phone or "").casefold()}), None)
        if match is None:
            resend.append(index)
        else:
            found.append(CreatedMember(id=match.id, code=match.code, download_url=match.download_url))
    log.info("import %s chunk %d reconciled: %d found, %d to send again, %d unknown", record.id, chunk.number,
             len(found), len(resend), len(unknown))
    _send(record, chunk, resend, found, unknown)


@DBOS.step(name="import.give_up")
def _give_up(import_id: str, number: int) -> bool:
    """The API never answered for this chunk: its rows are unknown, and the rows after it are not sent."""
    ledger = context.services().store.imports
    chunk = ledger.chunk(import_id, number)
    error = OutcomeUnknown("no answer")
    if chunk is not None:
        ledger.settle(import_id, number, "unknown", reason=chunk_reason(error, list(chunk.lines)))
    ledger.stop(import_id, describe(error))
    return False


@DBOS.step(name="import.report")
def _report(import_id: str) -> str:
    """Replace the progress with the report, share the CSV of created members, close the audit row, and forget
    the rows (contact details)."""
    svc = context.services()
    record = _record(import_id)
    report = build_report(record, svc.store.imports.chunks(import_id))
    if record.state == "running":
        from bot.imports.conversation import ImportMessage
        from bot.views.imports import report_message

        if record.audit_id is not None:
            svc.store.audit.finish(record.audit_id, report.outcome, report.summary)
        svc.store.held.finish(import_id, report.outcome, report.summary)
        card = svc.lookup.card(str(record.card_id))
        message = ImportMessage(svc.slack, record.channel_id, record.requester, ts=record.message_ts)
        message.finish(report_message(card, record.requester, report))
        if report.created:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
            message.upload(f"import-{card.id}-{stamp}.csv", report_csv(report),
                           f"Members created by the import into {card.display_name}")
        svc.store.imports.finish(import_id)
    _throttles.pop(import_id, None)
    _seen.discard(import_id)
    return report.outcome


def build_report(record: ImportRecord, chunks: Sequence[ChunkRecord]) -> Report:
    """The report of an import from its ledger: created members, failures, and rows never sent."""
    report = Report(rows=record.rows, skipped=record.skipped, to_send=record.to_send)
    for chunk in chunks:
        report.created.extend(chunk.created)
        missing = chunk.size - len(chunk.created)
        if chunk.state == "failed":
            report.failed += missing
        elif chunk.state in ("unknown", "sending"):
            report.unknown += missing
        elif chunk.state == "pending":
            report.not_sent += chunk.size
            continue
        if chunk.state != "done" and missing:
            report.failures.append(ChunkFailure(chunk.lines[0], chunk.lines[-1], missing,
                                                chunk.reason or "no answer", chunk.state != "failed"))
    report.stopped_by = record.stopped_by
    return report


def _record(import_id: str) -> ImportRecord:
    record = context.services().store.imports.get(import_id)
    if record is None:
        raise LookupError(f"import {import_id} is not in the ledger")
    return record


def _progress(record: ImportRecord, *, force: bool = False) -> None:
    """Post or edit the progress message; a failure to show progress never stops the import."""
    from bot.imports.conversation import ImportMessage
    from bot.views.imports import progress_message

    svc = context.services()
    first = record.id not in _seen
    _seen.add(record.id)
    throttle = _throttles.setdefault(record.id, Throttle())
    if not (force or first or throttle.ready()):
        return  # before reading the chunks: a chunk's step must not read the whole ledger every time
    try:
        chunks = svc.store.imports.chunks(record.id)
        resumed = first and any(chunk.state != "pending" for chunk in chunks)
        card = svc.lookup.card(str(record.card_id))
        report = build_report(record, chunks)
        sent = sum(chunk.size for chunk in chunks if chunk.state != "pending")
        message = ImportMessage(svc.slack, record.channel_id, record.requester, ts=record.message_ts)
        shown = progress_message(card, record.requester, report, sent, resumed=resumed)
        if record.message_ts is None:
            message.post(shown)
            if message.ts:
                svc.store.imports.set_message(record.id, message.channel_id, message.ts)
        else:
            message.progress(shown)
    except Exception:
        log.exception("could not show the progress of import %s", record.id)


def _triples(members: Sequence[CreatedMember]) -> list[tuple[int, str, str]]:
    return [(member.id, member.code, member.download_url or "") for member in members]
