"""`/loyalty import <card>`: the CSV form, the preview with Import / Cancel, and the chunked import."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot import held
from bot.access import Role
from bot.commands import CardRef
from bot.errors import UserError
from bot.imports.check import check
from bot.imports.conversation import ImportMessage
from bot.imports.csvfile import MAX_BYTES, read_table
from bot.imports.run import ACTION, Report, import_members, report_csv
from bot.imports.source import keep_pasted, read_file
from bot.interaction import Interaction
from bot.services import Services
from bot.store import HeldChange, Outcome
from bot.views import ids
from bot.views.imports import (
    TITLE,
    checking_modal,
    closed_modal,
    import_form_modal,
    preview_modal,
    progress_message,
    report_message,
    started_modal,
)
from handlers.base import Router, on_action

log = logging.getLogger(__name__)
_CONFIRMATION_ID = re.compile(r"[0-9a-f]{32}")
_STATE_WORDS = {
    "executing": "is already running; its progress is in the conversation",
    "done": "has already run; its report is in the conversation",
    "failed": "has already run; its report is in the conversation",
    "unknown": "has already run; its report is in the conversation",
    "cancelled": "was cancelled",
    "expired": "waited too long and expired",
    "pending": "waited too long and expired",
}


def open_form(services: Services, interaction: Interaction, command: CardRef) -> None:
    card = services.lookup.card(command.card)
    where = interaction.channel_id or interaction.user_id
    services.slack.views_update(view_id=interaction.view_id, view=import_form_modal(card, where))


def _show(services: Services, interaction: Interaction, view: View) -> None:
    """Update the modal if it is still open; closing it must not stop an import."""
    try:
        services.slack.views_update(view_id=interaction.view_id, view=view)
    except SlackApiError as exc:
        log.info("import modal not updated: %s", exc.response.get("error"))


def _form_errors(text: str, files: list[dict[str, Any]]) -> dict[str, str]:
    """Field errors of the form, found without any API call (pasted text is small enough to read here)."""
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
    try:
        read_table(text)
    except UserError as problem:
        return {ids.IMPORT_TEXT_BLOCK: problem.message}
    return {}


def show_preview(services: Services, interaction: Interaction, card_id: int, text: str, file_id: str | None) -> None:
    """Read and check the CSV, keep its source in Slack, and show the preview with Import (nothing sent)."""
    services.access.require(interaction.user_id, Role.OPERATOR)
    card = services.lookup.card(str(card_id))
    try:
        checked = check(read_table(text)) if text else read_file(services.slack, _token(services), str(file_id))
    except UserError as problem:
        _show(services, interaction, closed_modal(f"{problem.message} Then run `/loyalty import` again."))
        return
    confirmation_id = None
    if checked.ok:
        source = keep_pasted(services.slack, text) if text else str(file_id)
        confirmation_id = held.hold(
            services, interaction, ACTION, {"card_id": card.id, "file_id": source, "rows": len(checked.ok)}
        ).id
    _show(services, interaction, preview_modal(card, checked, confirmation_id))


def _token(services: Services) -> str:
    token = services.settings.slack_bot_token
    return token.get_secret_value() if token else ""


def _move(services: Services, interaction: Interaction, value: str, to: held.Move) -> HeldChange | held.NotDone:
    """Claim or cancel the import a button carries, by the rules every held change follows."""
    found = held.find(services, value, "confirmation") if _CONFIRMATION_ID.fullmatch(value) else None
    if not isinstance(found, HeldChange) or found.action != ACTION:
        return held.NotDone("missing")
    return held.move(services, interaction, found, to)


def _not_waiting(result: held.NotDone) -> str:
    if result.held is None:
        return "That import is not known (any more). Run `/loyalty import` again."
    if result.reason == "not_yours":
        return "This import belongs to the person who previewed it; only they can run or cancel it. Nothing was sent."
    return f"This import {_STATE_WORDS.get(result.held.state, 'is no longer waiting')}. Nothing more was sent."


def run_import(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """The Import click: claim the pending import (once, by whoever previewed it), re-read the CSV, send, report."""
    value = str(action.get("value") or "")
    claimed = _move(services, interaction, value, "claim")
    if isinstance(claimed, held.NotDone):
        _show(services, interaction, closed_modal(_not_waiting(claimed)))
        return
    interaction.channel_id = claimed.channel_id or interaction.user_id
    sending = False
    try:
        card = services.lookup.card(str(claimed.params["card_id"]))
        expected = int(claimed.params["rows"])
        _show(services, interaction, started_modal(card, interaction.channel_id, expected))
        checked = read_file(services.slack, _token(services), str(claimed.params["file_id"]))
        if len(checked.ok) != expected:
            raise UserError("The CSV is not the one previewed, so nothing was sent. Run `/loyalty import` again.")
        message = ImportMessage(services.slack, interaction.channel_id, interaction.user_id)
        message.post(progress_message(card, interaction.user_id,
                                      Report(rows=checked.total, skipped=checked.problem_rows, to_send=expected), 0))
        sending = True
        report = import_members(
            services.loyalty, services.store, interaction, card.id, checked,
            chunk_size=services.settings.loyalty_import_chunk_size,
            on_progress=lambda so_far, sent: message.progress(progress_message(card, interaction.user_id, so_far,
                                                                               sent)),
        )
        message.finish(report_message(card, interaction.user_id, report))
        if report.created:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
            message.upload(f"import-{card.id}-{stamp}.csv", report_csv(report),
                           f"Members created by the import into {card.display_name}")
    except Exception as exc:
        outcome: Outcome = "unknown" if sending else "failed"
        held.finish(services, value, outcome, type(exc).__name__)
        raise
    held.finish(services, value, report.outcome, report.summary)


def cancel_import(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    cancelled = _move(services, interaction, str(action.get("value") or ""), "cancel")
    if isinstance(cancelled, held.NotDone):
        _show(services, interaction, closed_modal(_not_waiting(cancelled)))
        return
    _show(services, interaction, closed_modal("Import cancelled. Nothing was sent."))


def register(app: App, services: Services, router: Router) -> None:
    router.add("import", open_form, Role.OPERATOR, modal_title=TITLE)
    on_action(app, services, ids.IMPORT_RUN, Role.OPERATOR, run_import)
    on_action(app, services, ids.IMPORT_CANCEL, Role.OPERATOR, cancel_import)

    @app.view(ids.IMPORT_VIEW)
    def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view.get("state", {}).get("values", {})
        text = ((values.get(ids.IMPORT_TEXT_BLOCK, {}).get(ids.IMPORT_TEXT_ACTION) or {}).get("value") or "").strip()
        files = (values.get(ids.IMPORT_FILE_BLOCK, {}).get(ids.IMPORT_FILE_ACTION) or {}).get("files") or []
        where = ids.parse_import_form_state(view.get("private_metadata"))
        if where is None:
            ack(response_action="update", view=closed_modal("This form is out of date. Run `/loyalty import` again."))
            return
        errors = _form_errors(text, files)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=checking_modal())
        interaction = Interaction.from_body(body, client, None, name="import.check")
        interaction.channel_id = where[1]
        file_id = str(files[0].get("id")) if files else None
        services.defer(interaction, show_preview, services, interaction, where[0], text, file_id)
