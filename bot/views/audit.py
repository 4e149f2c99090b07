"""`/loyalty audit`: the latest recorded changes with paging, the export modal, and the exported CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from slack_sdk.models.blocks import ActionsBlock, Block, DatePickerElement, InputBlock
from slack_sdk.models.views import View

from bot.csvcells import safe_cell
from bot.store import AuditEntry
from bot.views import ids
from bot.views.approvals import mention, when
from bot.views.common import Message, button, context, escape, fallback, header, inline, modal, plain, section

PAGE_SIZE = 20
MEMBER_IDS_SHOWN = 5
DETAIL_SHOWN = 150
EXPORT_DAYS_DEFAULT = 30
NAME = 150
MAX_EXPORT_DAYS = 366
EXPORT_TITLE = "Export audit log"
OUT_OF_DATE = "That button is out of date. Run `/loyalty audit` again."
NO_CONVERSATION = ("I can't tell which conversation to post the file in. "
                   "Run `/loyalty audit` again and export from there.")

_OUTCOME = {"ok": ":white_check_mark: ok", "failed": ":x: failed", "unknown": ":warning: unknown",
            "pending": ":hourglass_flowing_sand: pending"}
_VERSION = "a1"
_NUMBER = re.compile(r"[1-9][0-9]{0,17}")


@dataclass(frozen=True)
class AuditPage:
    """Which changes a page shows: one card's or all, older than `before_id` (None: the newest)."""

    card_id: int | None = None
    before_id: int | None = None

    def encode(self) -> str:
        """A button value, `a1|<card id or empty>|<before id or empty>`."""
        return f"{_VERSION}|{self.card_id or ''}|{self.before_id or ''}"

    @classmethod
    def decode(cls, value: object) -> AuditPage | None:
        """The page a button carried, or None for anything `encode` did not write."""
        if not isinstance(value, str):
            return None
        parts = value.split("|")
        if len(parts) != 3 or parts[0] != _VERSION:
            return None
        numbers = parts[1:]
        if any(part and not _NUMBER.fullmatch(part) for part in numbers):
            return None
        card_id, before_id = (int(part) if part else None for part in numbers)
        return cls(card_id, before_id)


def _members(member_ids: Sequence[int]) -> str:
    if not member_ids:
        return ""
    shown = ", ".join(str(member_id) for member_id in member_ids[:MEMBER_IDS_SHOWN])
    rest = len(member_ids) - MEMBER_IDS_SHOWN
    label = "member" if len(member_ids) == 1 else "members"
    return f" · {label} {shown}" + (f" and {rest} more" if rest > 0 else "")


def audit_line(entry: AuditEntry) -> str:
    """One change: when, who, what, card, members, outcome (and why, when it did not succeed)."""
    card = f" · card {entry.card_id}" if entry.card_id is not None else ""
    line = (f"`{when(entry.created_at)}` {mention(entry.actor)} *{inline(entry.action, 64)}*{card}"
            f"{_members(entry.member_ids)} · {_OUTCOME.get(entry.outcome, escape(entry.outcome))}")
    if entry.detail and entry.outcome != "ok":
        line += f"\n_{inline(entry.detail, DETAIL_SHOWN)}_"
    return line


def audit_message(entries: Sequence[AuditEntry], page: AuditPage, *, card_name: str | None,
                  has_more: bool) -> Message:
    """A page of the audit log, newest first, with More (older changes) and Export CSV."""
    scope = f" on {inline(card_name, NAME)}" if card_name else ""
    title = "Latest changes" if page.before_id is None else "Older changes"
    blocks: list[Block] = [header(f"{title}{' on ' + card_name if card_name else ''}")]
    if entries:
        blocks += [section(audit_line(entry)) for entry in entries[:PAGE_SIZE]]
    else:
        nothing = "No changes recorded yet" if page.before_id is None else "No older changes"
        blocks.append(section(f"{nothing}{scope}."))
    buttons = []
    if has_more and entries:
        older = AuditPage(page.card_id, entries[: PAGE_SIZE][-1].id)
        buttons.append(button("More", ids.AUDIT_MORE, older.encode()))
    buttons.append(button("Export CSV", ids.AUDIT_EXPORT, AuditPage(page.card_id).encode()))
    blocks.append(ActionsBlock(elements=buttons))
    blocks.append(context("Newest first; times in UTC. Contact details are never recorded, only member ids."))
    return Message(text=fallback(f"{title}{scope}"), blocks=blocks)


def export_metadata(card_id: int | None, channel_id: str) -> str:
    """The export modal's private_metadata: which card (or all) and where to post the file."""
    return json.dumps({"card": card_id, "channel": channel_id})


def read_export_metadata(value: str) -> tuple[int | None, str] | None:
    """`(card_id, channel_id)` from the modal's private_metadata, or None when it is not ours."""
    try:
        data = json.loads(value)
        card, channel = data["card"], data["channel"]
    except (ValueError, TypeError, KeyError):
        return None
    if (card is not None and not isinstance(card, int)) or not isinstance(channel, str) or not channel:
        return None
    return card, channel


def export_modal(card_id: int | None, card_name: str | None, channel_id: str, today: date) -> View:
    """Asks for the date range to export; the CSV goes to the requester alone, in a direct message."""
    scope = f" of *{inline(card_name, NAME)}*" if card_name else ""
    intro = (f"Export the changes{scope} between two days (UTC, both included) as a CSV file. I'll send it to "
             "you in a direct message: only you will see it.")
    start = InputBlock(block_id=ids.AUDIT_FROM_BLOCK, label=plain("From", 2000), element=DatePickerElement(
        action_id=ids.AUDIT_FROM_ACTION, initial_date=(today - timedelta(days=EXPORT_DAYS_DEFAULT)).isoformat()))
    end = InputBlock(block_id=ids.AUDIT_TO_BLOCK, label=plain("To", 2000), element=DatePickerElement(
        action_id=ids.AUDIT_TO_ACTION, initial_date=today.isoformat()))
    return modal("Export audit log", [section(intro), start, end], callback_id=ids.AUDIT_EXPORT_VIEW,
                 submit="Export", close="Cancel", private_metadata=export_metadata(card_id, channel_id))


def export_done_modal(count: int, start: date, end: date) -> View:
    """The export modal once the file is sent to the requester, or when there was nothing to export."""
    span = f"from {start.isoformat()} to {end.isoformat()}"
    if count == 0:
        text = f":information_source: No changes were recorded {span}, so there is no file to post."
    else:
        text = (f":white_check_mark: Sent you a CSV of {count} change{'s' if count != 1 else ''} {span} "
                "in a direct message (only you can see it).")
    return modal("Export audit log", [section(text)])


CSV_COLUMNS = ("id", "time_utc", "finished_utc", "who", "action", "card_id", "member_ids", "outcome", "detail",
               "params", "request_id", "channel_id")


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV, one row per change, oldest first as given; safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; and a cell holding a lone \r gets quoted
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([safe_cell(value) for value in (
            entry.id,
            entry.created_at.isoformat(timespec="seconds"),
            entry.finished_at.isoformat(timespec="seconds") if entry.finished_at else "",
            entry.actor, entry.action, entry.card_id, " ".join(str(i) for i in entry.member_ids), entry.outcome,
            entry.detail, json.dumps(entry.params, sort_keys=True) if entry.params else "", entry.request_id,
            entry.channel_id,
        )])
    return out.getvalue()


def export_problems(start: date | None, end: date | None, target: tuple[int | None, str] | None) -> dict[str, str]:
    """What is wrong with a submitted export form, by block id (empty when nothing is)."""
    problems = {}
    if start is None:
        problems[ids.AUDIT_FROM_BLOCK] = "Pick the first day to export."
    if end is None:
        problems[ids.AUDIT_TO_BLOCK] = "Pick the last day to export."
    elif start is not None and end < start:
        problems[ids.AUDIT_TO_BLOCK] = "The last day is before the first day."
    elif start is not None and (end - start).days >= MAX_EXPORT_DAYS:
        problems[ids.AUDIT_TO_BLOCK] = f"Export at most {MAX_EXPORT_DAYS} days at a time."
    if not problems and target is None:
        problems[ids.AUDIT_FROM_BLOCK] = "This form is out of date; run `/loyalty audit` again."
    return problems


def export_comment(user_id: str, count: int, start: date, end: date) -> str:
    """The line posted with the exported file."""
    return (f"Audit log export by {mention(user_id)}: "
            f"{count} change(s), {start.isoformat()} to {end.isoformat()} (UTC).")


def export_summary_text(user_id: str, count: int, start: date, end: date) -> str:
    """The one line the conversation gets about an export: who, how many changes, which days; the file itself
    went to the requester alone."""
    return (f":lock: {mention(user_id)} exported the audit log: {count} change(s), {start.isoformat()} to "
            f"{end.isoformat()} (UTC). The file went to them in a direct message.")


def upload_refused_text(error: str) -> str:
    """Slack would not take the exported file; `error` is Slack's error code."""
    return (f"Slack refused the upload ({error}). If I'm not in that conversation, "
            "invite me (`/invite @loyalty`) or run `/loyalty audit` somewhere I am, then export again.")
