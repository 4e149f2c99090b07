"""`/loyalty import`: the form, the preview with its Import button, and the progress/report message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.coupontools.models import Card
from bot.imports.check import Checked, Duplicate, Problem
from bot.imports.csvfile import MAX_BYTES, MAX_ROWS
from bot.imports.run import ChunkFailure, Report
from bot.members import LABELS
from bot.views import ids
from bot.views.common import (
    SECTION_TEXT,
    Message,
    code,
    context,
    error_modal,
    escape,
    fallback,
    inline,
    modal,
    plain,
    plural,
    section,
)

TITLE = "Import members"
FORM_OUT_OF_DATE = "This form is out of date. Run `/loyalty import` again."
PASTE_MAX = 3000
"""Slack's limit for a text input; bigger lists come as a file."""
LISTED = 20
"""Problems (or failed chunks) listed before the rest are counted."""
BAR_WIDTH = 20
NAME = 200

_COLUMNS = "First name, Last name, Email, Phone, Address, Zip, City, Custom 1 … Custom 8"


def form_problems(text: str, files: Sequence[dict[str, Any]]) -> dict[str, str]:
    """What is wrong with the import form's source, by block id, before any CSV is read (empty: nothing)."""
    if not text and not files:
        return {ids.IMPORT_TEXT_BLOCK: "Paste the CSV here, or upload a .csv file below."}
    if text and files:
        return {ids.IMPORT_FILE_BLOCK: "Use either the pasted CSV or the file, not both: remove one."}
    if files:
        name, size = str(files[0].get("name") or ""), int(files[0].get("size") or 0)
        if not name.lower().endswith(".csv") and files[0].get("filetype") != "csv":
            return {ids.IMPORT_FILE_BLOCK: "That is not a .csv file. Save the sheet as CSV and upload that."}
        if size > MAX_BYTES:
            return {ids.IMPORT_FILE_BLOCK: f"That file is over {MAX_BYTES // (1024 * 1024)} MB: split it up."}
    return {}


def import_form_modal(card: Card, channel_id: str) -> View:
    """The form: paste CSV or upload a .csv (one of the two); submitting it shows a preview, sends nothing."""
    text = PlainTextInputElement(action_id=ids.IMPORT_TEXT_ACTION, multiline=True, max_length=PASTE_MAX,
                                 placeholder=plain("First name,Last name,Email\nAda,Lovelace,ada@example.com", 150))
    upload = {"type": "file_input", "action_id": ids.IMPORT_FILE_ACTION, "filetypes": ["csv"], "max_files": 1}
    blocks: list[Block] = [
        section(f"New members for *{inline(card.display_name, NAME)}*, from a CSV with a header row. "
                f"Columns I know: {_COLUMNS} (other names for them work too). Other columns are ignored."),
        InputBlock(block_id=ids.IMPORT_TEXT_BLOCK, label=plain("Paste CSV", 2000), element=text, optional=True),
        InputBlock(block_id=ids.IMPORT_FILE_BLOCK, label=plain("…or upload a .csv file", 2000), element=upload,
                   optional=True),
        context(f"Up to {MAX_ROWS:,} rows and {MAX_BYTES // (1024 * 1024)} MB. Nothing is created until you "
                "have seen the preview and pressed Import."),
    ]
    return modal(TITLE, blocks, callback_id=ids.IMPORT_VIEW, submit="Check rows", close="Cancel",
                 private_metadata=ids.import_form_state(card.id, channel_id))


def checking_modal() -> View:
    """Shown while the CSV is read and checked."""
    return modal(TITLE, [section(":hourglass_flowing_sand: Reading and checking your CSV…")])


def _sections(lines: Sequence[str], total: int, noun: str) -> list[Block]:
    """Lines as sections within Slack's text limit, the first LISTED of `total`, then "…and N more"."""
    shown = list(lines[:LISTED])
    if total > len(shown):
        shown.append(f"…and {total - len(shown):,} more {noun}")
    blocks: list[Block] = []
    current = ""
    for line in shown:
        if current and len(current) + len(line) + 1 > SECTION_TEXT:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def _problem_line(problem: Problem) -> str:
    label = LABELS.get(problem.field or "", "")
    value = f" {code(problem.value, 40)}" if problem.value is not None else ""
    what = f"{escape(label)}{value}: " if label else ""
    return f"• Line {problem.line}: {what}{inline(problem.reason, 300)}"


def _duplicate_line(duplicate: Duplicate) -> str:
    label = LABELS.get(duplicate.field, "")
    what = f"{escape(label)} {code(duplicate.value, 40)}: " if label else ""
    return f"• Line {duplicate.line}: {what}same as {inline(duplicate.of, 200)}"


def _run_buttons(card: Card, ready: int, duplicates: int, confirmation_id: str) -> ActionsBlock:
    """Import (the good rows), Import with the duplicates too (when there are any), Cancel."""
    buttons: list[ButtonElement] = []
    if ready:
        buttons.append(ButtonElement(
            text=plain(f"Import {plural(ready, 'member')}", 75), action_id=ids.IMPORT_RUN, value=confirmation_id,
            style="primary", confirm=ConfirmObject(
                title=plain("Import members?", 100),
                text=plain(f"Create {plural(ready, 'member')} in {card.display_name}? Members cannot be removed "
                           "in bulk.", 300),
                confirm=plain("Import", 30), deny=plain("Not yet", 30))))
    if duplicates:
        everyone = ready + duplicates
        buttons.append(ButtonElement(
            text=plain(f"Create duplicates too ({everyone:,})", 75), action_id=ids.IMPORT_RUN_ALL,
            value=confirmation_id, style=None if ready else "primary", confirm=ConfirmObject(
                title=plain("Create duplicates too?", 100),
                text=plain(f"Create {plural(everyone, 'member')} in {card.display_name}, including "
                           f"{plural(duplicates, 'row')} whose email or phone is already in use? Looking them up "
                           "by that email or phone will then ask which member is meant.", 300),
                confirm=plain("Create them anyway", 30), deny=plain("Not yet", 30))))
    buttons.append(ButtonElement(text=plain("Cancel", 75), action_id=ids.IMPORT_CANCEL, value=confirmation_id))
    return ActionsBlock(elements=buttons)


def preview_modal(card: Card, checked: Checked, confirmation_id: str | None) -> View:
    """What the CSV holds: rows ready, duplicates set aside, rows with problems and why, ignored columns; Import
    (and, with duplicates, Create duplicates too) and Cancel."""
    ready, total, duplicates = len(checked.ok), checked.total, len(checked.duplicates)
    name = inline(card.display_name, NAME)
    used = ", ".join(escape(LABELS[f]) for f in checked.table.fields)
    blocks: list[Block] = [
        section(f"*{ready:,} of {plural(total, 'row')}* can become members of *{name}*."),
        section(fields=[f"*Ready*\n{ready:,}", f"*With problems (skipped)*\n{checked.problem_rows:,}",
                        *([f"*Duplicates (skipped)*\n{duplicates:,}"] if duplicates else []),
                        f"*Columns used*\n{used}"]),
    ]
    if checked.table.unknown:
        ignored = ", ".join(code(column, 60) for column in checked.table.unknown[:LISTED])
        blocks.append(context(f"Ignored columns (not member fields): {ignored}. Rename a column, e.g. to "
                              "`Email`, if it should be imported."))
    if checked.duplicates:
        blocks.append(section("*Duplicates* (skipped, unless you create them anyway): the email or phone is "
                              "on an earlier line or a member of the card already has it."))
        blocks += _sections([_duplicate_line(d) for d in checked.duplicates], duplicates, "duplicates")
    if checked.problems:
        blocks.append(section("*Rows with problems* (these are skipped):"))
        blocks += _sections([_problem_line(p) for p in checked.problems], checked.problem_count, "problems")
    if confirmation_id is None:
        blocks.append(section(":warning: Nothing to import: every row has a problem. Fix the file and run "
                              "`/loyalty import` again."))
        return modal(TITLE, blocks, callback_id=ids.IMPORT_PREVIEW_VIEW)
    blocks.append(_run_buttons(card, ready, duplicates, confirmation_id))
    if checked.problem_rows:
        blocks.append(context("Rows with problems are left out. Fix them and import them as a second file."))
    return modal(TITLE, blocks, callback_id=ids.IMPORT_PREVIEW_VIEW)


def started_modal(card: Card, channel_id: str, rows: int) -> View:
    """After Import: where to follow the progress."""
    name = inline(card.display_name, NAME)
    return modal(TITLE, [section(f":inbox_tray: Importing {plural(rows, 'member')} into *{name}*. "
                                 f"Progress and the report are in <#{channel_id}>; you can close this.")])


def closed_modal(text: str) -> View:
    """The preview after Cancel, or a click on an import that is no longer waiting."""
    return error_modal(TITLE, text)


def _bar(done: int, total: int) -> str:
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    return "`" + "▓" * filled + "░" * (BAR_WIDTH - filled) + "`"


def progress_message(card: Card, user_id: str, report: Report, sent: int, *, resumed: bool = False) -> Message:
    """The conversation's message while rows are sent: a bar, rows sent, members created (and, after a restart
    of the bot, that the import carried on from where it was)."""
    name = inline(card.display_name, NAME)
    percent = 100 * sent // report.to_send if report.to_send else 100
    line = (f"{_bar(sent, report.to_send)} {percent}% · {sent:,} of {report.to_send:,} rows sent · "
            f"{len(report.created):,} created")
    if report.failures:
        line += f" · {plural(len(report.failures), 'chunk')} failed"
    return Message(
        text=fallback(f"Importing {report.to_send:,} members into {name}: {percent}%"),
        blocks=[section(f":inbox_tray: <@{user_id}> is importing members into *{name}*."), section(line),
                *([context(RESUMED)] if resumed else [])],
    )


RESUMED = ("Resumed after a restart of the bot: rows already sent were checked against the card, "
           "and none is sent twice.")


def _failure_line(failure: ChunkFailure) -> str:
    first, last = failure.first_line, failure.last_line
    lines = f"Line {first}" if first == last else f"Lines {first}–{last}"
    mark = ":grey_question:" if failure.unknown else ":x:"
    return f"{mark} {lines} ({plural(failure.rows, 'row')}): {inline(failure.reason, 600)}"


def report_message(card: Card, user_id: str, report: Report) -> Message:
    """The import's outcome: created, failed with reasons per chunk, unknown, not sent, skipped."""
    name = inline(card.display_name, NAME)
    created = len(report.created)
    emoji = {"ok": ":white_check_mark:", "failed": ":warning:", "unknown": ":grey_question:"}[report.outcome]
    blocks: list[Block] = [
        section(f"{emoji} <@{user_id}>'s import into *{name}* is finished: "
                f"*{created:,} of {report.to_send:,}* members created."),
        section(fields=[f"*Created*\n{created:,}", f"*Failed*\n{report.failed:,}",
                        f"*Outcome unknown*\n{report.unknown:,}", f"*Not sent*\n{report.not_sent:,}",
                        f"*Skipped (problems or duplicates)*\n{report.skipped:,}"]),
    ]
    if report.stopped_by:
        blocks.append(section(f":octagonal_sign: The import stopped: {escape(report.stopped_by)} "
                              f"The {plural(report.not_sent, 'row')} after that were not sent, and nothing was "
                              "sent twice."))
    if report.failures:
        blocks.append(section("*Chunks that did not go through:*"))
        blocks += _sections([_failure_line(f) for f in report.failures], len(report.failures), "chunks")
    if created:
        blocks.append(context("The new members' ids, codes and wallet links went to the importer alone, "
                              "as a CSV in a direct message."))
    return Message(text=fallback(f"Import into {name}: {created:,} of {report.to_send:,} members created"),
                   blocks=blocks)
