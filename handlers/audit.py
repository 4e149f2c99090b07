"""`audit [<card>]`: the latest recorded changes, older pages, and a date range exported as CSV."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.access import Role
from bot.commands import Audit
from bot.errors import UserError
from bot.interaction import Interaction
from bot.private_files import send_privately
from bot.services import Services
from bot.views import ids
from bot.views.audit import (
    EXPORT_TITLE,
    NO_CONVERSATION,
    OUT_OF_DATE,
    PAGE_SIZE,
    AuditPage,
    audit_csv,
    audit_message,
    export_comment,
    export_done_modal,
    export_modal,
    export_problems,
    export_summary_text,
    read_export_metadata,
    upload_refused_text,
)
from bot.views.common import error_modal, loading_modal
from bot.views.forms import FormValues
from handlers.base import Accepted, Answer, Listener

log = logging.getLogger(__name__)


def show_audit(services: Services, interaction: Interaction, command: Audit) -> None:
    card = services.lookup.card(command.card) if command.card else None
    _show(services, interaction, AuditPage(card.id if card else None), replace=False)


def _show(services: Services, interaction: Interaction, page: AuditPage, *, replace: bool) -> None:
    # One more than a page tells whether "More" has anything to show.
    entries = services.store.audit.latest(page.card_id, limit=PAGE_SIZE + 1, before_id=page.before_id)
    name = services.lookup.card_name(page.card_id) if page.card_id is not None else None
    interaction.reply(audit_message(entries, page, card_name=name, has_more=len(entries) > PAGE_SIZE),
                      replace=replace)


def _page(action: dict[str, Any]) -> AuditPage:
    page = AuditPage.decode(action.get("value"))
    if page is None:
        raise UserError(OUT_OF_DATE)
    return page


def more(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    _show(services, interaction, _page(action), replace=True)


def _export_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> View:
    page = _page(action)
    if not interaction.channel_id:
        return error_modal(EXPORT_TITLE, NO_CONVERSATION)
    name = services.lookup.card_name(page.card_id) if page.card_id is not None else None
    return export_modal(page.card_id, name, interaction.channel_id, datetime.now(UTC).date())


def open_export_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Export CSV: the "Loading…" modal becomes the date-range form."""
    services.slack.views_update(view_id=interaction.view_id, view=_export_form(services, interaction, action))


@dataclass(frozen=True)
class Export:
    """A checked export form: the days to export, of which card (None: all), and where to post the file."""

    start: date
    end: date
    card_id: int | None
    channel_id: str


def read_export(form: FormValues) -> Answer:
    start = form.date(ids.AUDIT_FROM_BLOCK, ids.AUDIT_FROM_ACTION)
    end = form.date(ids.AUDIT_TO_BLOCK, ids.AUDIT_TO_ACTION)
    target = read_export_metadata(form.metadata)
    problems = export_problems(start, end, target)
    if problems or start is None or end is None or target is None:
        return problems
    return Accepted(loading_modal(EXPORT_TITLE), Export(start, end, *target))


def export(services: Services, interaction: Interaction, export: Export) -> None:
    """Post the chosen days of the audit log as a CSV file where the export was asked for."""
    start, end, card_id = export.start, export.end, export.card_id
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    entries = list(services.store.audit.between(since, until, card_id))
    if entries:
        scope = f"-card-{card_id}" if card_id is not None else ""
        try:
            # The audit log names who changed which member: the requester alone gets it.
            send_privately(
                services.slack, interaction.user_id, export_comment(interaction.user_id, len(entries), start, end),
                content=audit_csv(entries), title="Loyalty audit log",
                filename=f"loyalty-audit{scope}-{start.isoformat()}-to-{end.isoformat()}.csv",
            )
        except SlackApiError as exc:
            raise UserError(upload_refused_text(str(exc.response.get("error")))) from None
        _tell_conversation(services, export.channel_id, export_summary_text(interaction.user_id, len(entries),
                                                                            start, end))
    services.slack.views_update(view_id=interaction.view_id,
                                view=export_done_modal(len(entries), start, end))


def _tell_conversation(services: Services, channel_id: str, text: str) -> None:
    """One line where the export was asked for, so the others there see that it happened; the file is sent."""
    try:
        services.slack.chat_postMessage(channel=channel_id, text=text)
    except SlackApiError as exc:
        log.info("export summary not posted: %s", exc.response.get("error"))


LISTENERS = [
    Listener("subcommand", "audit", Role.ADMIN, show_audit),
    Listener("action", ids.AUDIT_MORE, Role.ADMIN, more),
    Listener("action", ids.AUDIT_EXPORT, Role.ADMIN, open_export_form, modal_title=EXPORT_TITLE),
    Listener("submission", ids.AUDIT_EXPORT_VIEW, Role.ADMIN, export, read=read_export),
]
