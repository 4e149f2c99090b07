"""What an import reports: its outcome and failures, the CSV of created members, the progress throttle and the
reason a chunk failed. The sending itself is the durable job in `bot.jobs.imports`."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.coupontools import CoupontoolsError, InvalidInput, OutcomeUnknown
from bot.csvcells import safe_cell
from bot.errors import describe
from bot.logs import redact
from bot.store import Outcome

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
    """Rows with problems, and duplicates not chosen, never sent."""
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
                f"not sent {self.not_sent}; skipped {self.skipped} rows with problems or duplicates")


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




def report_csv(report: Report) -> bytes:
    """The created members as CSV (id, code, wallet link): what the report uploads, no contact details."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("id", "code", "wallet_link"))
    writer.writerows((member_id, safe_cell(code), safe_cell(link)) for member_id, code, link in report.created)
    return out.getvalue().encode("utf-8")
