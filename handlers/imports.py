"""`/loyalty import <card>`: the CSV form, the preview with Import / Cancel, and the chunked import."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot import held
from bot.access import Role
from bot.commands import CardRef
from bot.errors import UserError
from bot.imports.check import Checked, check
from bot.imports.csvfile import read_table
from bot.imports.existing import find_existing
from bot.imports.run import ACTION
from bot.imports.source import forget_pasted, keep_pasted, read_file
from bot.interaction import Interaction
from bot.jobs import imports as jobs
from bot.services import Services
from bot.store import HeldChange
from bot.views import ids
from bot.views.forms import FormValues
from bot.views.imports import (
    FORM_OUT_OF_DATE,
    TITLE,
    checking_modal,
    closed_modal,
    form_problems,
    import_form_modal,
    preview_modal,
    started_modal,
)
from handlers.base import Accepted, Answer, Listener

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


def _csv_problems(text: str) -> dict[str, str]:
    """What is wrong with pasted CSV, found in the ack: pasted text is small enough to read here."""
    try:
        read_table(text)
    except UserError as problem:
        return {ids.IMPORT_TEXT_BLOCK: problem.message}
    return {}


@dataclass(frozen=True)
class Source:
    """Where a submitted import form's CSV is: pasted `text`, or the uploaded file `file_id`."""

    card_id: int
    text: str
    file_id: str | None


def _read(services: Services, file_id: str, *, uploader: str | None) -> Checked:
    return read_file(services.slack, _token(services), file_id, uploader=uploader,
                     region=services.settings.loyalty_phone_region)


def show_preview(services: Services, interaction: Interaction, submitted: Source) -> None:
    """Read and check the CSV, set aside rows that members of the card already are, keep the CSV's source in
    Slack, and show the preview with Import (nothing sent)."""
    text, file_id = submitted.text, submitted.file_id
    card = services.lookup.card(str(submitted.card_id))
    _forget_expired(services)
    try:
        checked = (check(read_table(text), services.settings.loyalty_phone_region) if text
                   else _read(services, str(file_id), uploader=interaction.user_id))
    except UserError as problem:
        _show(services, interaction, closed_modal(f"{problem.message} Then run `/loyalty import` again."))
        return
    existing = find_existing(services.lookup, card, checked)
    checked.set_aside(existing)
    confirmation_id = None
    if checked.ok or checked.duplicates:
        source = keep_pasted(services.slack, text) if text else str(file_id)
        confirmation_id = held.hold(services, interaction, ACTION, {
            "card_id": card.id, "file_id": source, "rows": len(checked.ok), "pasted": bool(text),
            "duplicates": len(checked.duplicates), "existing": sorted(d.line for d in existing)}).id
    _show(services, interaction, preview_modal(card, checked, confirmation_id))


def _token(services: Services) -> str:
    token = services.settings.slack_bot_token
    return token.get_secret_value() if token else ""


def _forget_pasted(services: Services, import_: HeldChange) -> None:
    """Delete the copy of pasted rows the bot kept in Slack for this import (contact details)."""
    if import_.params.get("pasted"):
        forget_pasted(services.slack, str(import_.params["file_id"]))


def _forget_expired(services: Services) -> None:
    """Expire the imports nobody ran in time, deleting their pasted rows from Slack."""
    for expired in services.store.held.expire(action=ACTION):
        _forget_pasted(services, expired)


def _move(services: Services, interaction: Interaction, value: str, to: held.Move) -> HeldChange | held.NotDone:
    """Claim or cancel the import a button carries, by the rules every held change follows."""
    _forget_expired(services)
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
    """The Import click: claim the pending import (once, by whoever previewed it), re-read the CSV, and hand it to
    a durable job (bot/jobs/imports.py) that sends it and reports, across restarts of the bot. The duplicates
    the preview set aside are sent too only from the "create them anyway" button."""
    duplicates = action.get("action_id") == ids.IMPORT_RUN_ALL
    value = str(action.get("value") or "")
    claimed = _move(services, interaction, value, "claim")
    if isinstance(claimed, held.NotDone):
        _show(services, interaction, closed_modal(_not_waiting(claimed)))
        return
    interaction.channel_id = claimed.channel_id or interaction.user_id
    try:
        card = services.lookup.card(str(claimed.params["card_id"]))
        expected = int(claimed.params["rows"])
        expected_duplicates = int(claimed.params.get("duplicates") or 0)
        _show(services, interaction, started_modal(
            card, interaction.channel_id, expected + (expected_duplicates if duplicates else 0)))
        checked = _read(services, str(claimed.params["file_id"]),
                        uploader=None if claimed.params.get("pasted") else claimed.requester)
        checked.set_aside_lines(set(claimed.params.get("existing") or ()))
        if (len(checked.ok), len(checked.duplicates)) != (expected, expected_duplicates):
            raise UserError("The CSV is not the one previewed, so nothing was sent. Run `/loyalty import` again.")
        jobs.start(services, interaction, claimed.id, card.id, checked, duplicates=duplicates)
    except Exception as exc:
        held.finish(services, value, "failed", type(exc).__name__)  # nothing was sent
        raise
    finally:
        _forget_pasted(services, claimed)  # its rows are in the import's ledger now, or nothing was sent


def cancel_import(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    cancelled = _move(services, interaction, str(action.get("value") or ""), "cancel")
    if isinstance(cancelled, held.NotDone):
        _show(services, interaction, closed_modal(_not_waiting(cancelled)))
        return
    _forget_pasted(services, cancelled)
    _show(services, interaction, closed_modal("Import cancelled. Nothing was sent."))


def read_form(form: FormValues) -> Answer:
    text = form.text(ids.IMPORT_TEXT_BLOCK, ids.IMPORT_TEXT_ACTION).strip()
    files = form.files(ids.IMPORT_FILE_BLOCK, ids.IMPORT_FILE_ACTION)
    where = ids.parse_import_form_state(form.metadata)
    if where is None:
        return closed_modal(FORM_OUT_OF_DATE)
    errors = form_problems(text, files) or (_csv_problems(text) if text else {})
    if errors:
        return errors
    file_id = str(files[0].get("id")) if files else None
    return Accepted(checking_modal(), Source(where[0], text, file_id), channel_id=where[1])


LISTENERS = [
    Listener("subcommand", "import", Role.OPERATOR, open_form, modal_title=TITLE),
    Listener("action", ids.IMPORT_RUN, Role.OPERATOR, run_import),
    Listener("action", ids.IMPORT_RUN_ALL, Role.OPERATOR, run_import),
    Listener("action", ids.IMPORT_CANCEL, Role.OPERATOR, cancel_import),
    Listener("submission", ids.IMPORT_VIEW, Role.OPERATOR, show_preview, read=read_form),
]
