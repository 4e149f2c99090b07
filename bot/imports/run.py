"""The import itself: good rows sent in chunks through the loyalty client, one audit row, and the report."""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.changes import failure_detail
from bot.coupontools import CoupontoolsError, InvalidInput, OutcomeUnknown
from bot.coupontools.bulk import ChunkResult
from bot.coupontools.client import LoyaltyClient
from bot.csvcells import safe_cell
from bot.errors import describe
from bot.imports.check import Checked
from bot.interaction import Interaction
from bot.logs import redact
from bot.store import Outcome, Store

log = logging.getLogger(__name__)

ACTION = "member.import"
_API_ROW = re.compile(r"\brow (\d+)\b")


@dataclass(frozen=True)
class ChunkFailure:
    """A chunk that did not (or may not have) become members: which lines of the file, and why."""

    first_line: int
    last_line: int
    rows: int
    reason: str
    unknown: bool = False


@dataclass
class Report:
    """How an import ended. Holds ids, codes and wallet links of created members, never contact details."""

    rows: int
    """Rows in the file."""
    skipped: int
    """Rows with problems, never sent."""
    to_send: int
    created: list[tuple[int, str, str]] = field(default_factory=list)
    failures: list[ChunkFailure] = field(default_factory=list)
    failed: int = 0
    unknown: int = 0
    not_sent: int = 0
    stopped_by: str | None = None

    @property
    def outcome(self) -> Outcome:
        """ok when every row sent became a member; unknown when any chunk went unanswered; else failed."""
        if self.unknown:
            return "unknown"
        return "failed" if self.failed or self.not_sent else "ok"

    @property
    def summary(self) -> str:
        """One line for the audit log: counts only."""
        return (f"created {len(self.created)} of {self.to_send}; failed {self.failed}; unknown {self.unknown}; "
                f"not sent {self.not_sent}; skipped {self.skipped} rows with problems")


class Throttle:
    """Says yes at most once per `interval` seconds (the first time always): progress updates Slack can take."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: float | None = None

    def ready(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return True


def chunk_reason(error: CoupontoolsError, lines: list[int]) -> str:
    """Why a chunk failed, with the API's "row N" (1-based within the chunk) turned into the file's line."""
    if isinstance(error, OutcomeUnknown):
        return ("the loyalty service did not answer after these rows were sent, so they may or may not be "
                "members now: check with `/loyalty members` before importing them again")
    if not isinstance(error, InvalidInput):
        return describe(error)

    def to_line(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return f"line {lines[index]}" if 0 <= index < len(lines) else match.group(0)

    return "refused: " + _API_ROW.sub(to_line, redact(error.message))


def _chunk_failure(checked: Checked, chunk: ChunkResult, error: CoupontoolsError) -> ChunkFailure:
    lines = [line for line, _values, _extra in checked.ok[chunk.first_row:chunk.first_row + chunk.size]]
    return ChunkFailure(lines[0], lines[-1], chunk.size, chunk_reason(error, lines), chunk.outcome_unknown)


def send_rows(
    loyalty: LoyaltyClient,
    card_id: int,
    checked: Checked,
    *,
    chunk_size: int,
    on_progress: Callable[[Report, int], None] | None = None,
) -> Report:
    """Create the good rows in chunks; `on_progress(report so far, rows sent)` hears every chunk."""
    report = Report(rows=checked.total, skipped=checked.problem_rows, to_send=len(checked.ok))
    sent = 0

    def on_chunk(chunk: ChunkResult) -> None:
        nonlocal sent
        sent += chunk.size
        report.created.extend((m.id, m.code, m.download_url or "") for m in chunk.created)
        if chunk.error is not None:
            report.failures.append(_chunk_failure(checked, chunk, chunk.error))
        if on_progress is not None:
            on_progress(report, sent)

    result = loyalty.create_members(card_id, checked.members(), chunk_size=chunk_size, on_chunk=on_chunk)
    report.failed, report.unknown, report.not_sent = result.failed, result.unknown, result.not_sent
    if result.stopped_by is not None:
        report.stopped_by = describe(result.stopped_by)
    return report


def import_members(
    loyalty: LoyaltyClient,
    store: Store,
    who: Interaction,
    card_id: int,
    checked: Checked,
    *,
    chunk_size: int,
    on_progress: Callable[[Report, int], None] | None = None,
) -> Report:
    """`send_rows` with one audit row ("member.import") written before and completed with the outcome."""
    chunks = -(-len(checked.ok) // chunk_size)
    entry = store.audit.begin(
        actor=who.user_id, team_id=who.team_id, channel_id=who.channel_id, action=ACTION, card_id=card_id,
        params={"rows": len(checked.ok), "chunks": chunks, "chunk_size": chunk_size,
                "skipped": checked.problem_rows},
        request_id=who.request_id,
    )
    try:
        report = send_rows(loyalty, card_id, checked, chunk_size=chunk_size, on_progress=on_progress)
    except BaseException as exc:
        # Whatever broke, some chunks may have been sent: never record that as a clean failure.
        _finish(store, entry, "unknown", failure_detail(exc))
        raise
    _finish(store, entry, report.outcome, report.summary)
    return report


def _finish(store: Store, entry: int, outcome: Outcome, detail: str) -> None:
    try:
        store.audit.finish(entry, outcome, detail)
    except Exception:
        # The row stays "pending": the log still says an import was attempted.
        log.exception("could not record the outcome of audit entry %s", entry)


def report_csv(report: Report) -> bytes:
    """The created members as CSV (id, code, wallet link): what the report uploads, no contact details."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("id", "code", "wallet_link"))
    writer.writerows((member_id, safe_cell(code), safe_cell(link)) for member_id, code, link in report.created)
    return out.getvalue().encode("utf-8")
