"""`audit [<card>]`: the latest recorded changes, older pages, and a date range exported as CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.access import Role
from bot.commands import Audit
from bot.errors import UserError
from bot.interaction import Interaction
from bot.services import Services
from bot.views import ids
from bot.views.approvals import mention
from bot.views.audit import (
    PAGE_SIZE,
    AuditPage,
    audit_csv,
    audit_message,
    export_done_modal,
    export_modal,
    read_export_metadata,
)
from bot.views.common import error_modal, loading_modal
from handlers.base import Router, on_action
from handlers.guarded import card_name
from handlers.modals import on_modal_action

MAX_EXPORT_DAYS = 366


def show_audit(services: Services, interaction: Interaction, command: Audit) -> None:
    card = services.lookup.card(command.card) if command.card else None
    _show(services, interaction, AuditPage(card.id if card else None), replace=False)


def _show(services: Services, interaction: Interaction, page: AuditPage, *, replace: bool) -> None:
    # One more than a page tells whether "More" has anything to show.
    entries = services.store.audit.latest(page.card_id, limit=PAGE_SIZE + 1, before_id=page.before_id)
    name = card_name(services, page.card_id) if page.card_id is not None else None
    interaction.reply(audit_message(entries, page, card_name=name, has_more=len(entries) > PAGE_SIZE),
                      replace=replace)


def _page(action: dict[str, Any]) -> AuditPage:
    page = AuditPage.decode(action.get("value"))
    if page is None:
        raise UserError("That button is out of date. Run `/loyalty audit` again.")
    return page


def more(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    _show(services, interaction, _page(action), replace=True)


def _export_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> View:
    page = _page(action)
    if not interaction.channel_id:
        return error_modal("Export audit log", "I can't tell which conversation to post the file in. "
                                               "Run `/loyalty audit` again and export from there.")
    name = card_name(services, page.card_id) if page.card_id is not None else None
    return export_modal(page.card_id, name, interaction.channel_id, datetime.now(UTC).date())


def open_export_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Export CSV: the "Loading…" modal becomes the date-range form."""
    services.slack.views_update(view_id=interaction.view_id, view=_export_form(services, interaction, action))


def _picked(values: dict[str, Any], block: str, action: str) -> date | None:
    raw = (values.get(block, {}).get(action) or {}).get("selected_date")
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _register_export(app: App, services: Services) -> None:
    on_modal_action(app, services, ids.AUDIT_EXPORT, Role.ADMIN, "Export audit log", open_export_form)

    @app.view(ids.AUDIT_EXPORT_VIEW)
    def submit_export(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view.get("state", {}).get("values", {})
        start = _picked(values, ids.AUDIT_FROM_BLOCK, ids.AUDIT_FROM_ACTION)
        end = _picked(values, ids.AUDIT_TO_BLOCK, ids.AUDIT_TO_ACTION)
        target = read_export_metadata(str(view.get("private_metadata") or ""))
        errors = {}
        if start is None:
            errors[ids.AUDIT_FROM_BLOCK] = "Pick the first day to export."
        if end is None:
            errors[ids.AUDIT_TO_BLOCK] = "Pick the last day to export."
        elif start is not None and end < start:
            errors[ids.AUDIT_TO_BLOCK] = "The last day is before the first day."
        elif start is not None and (end - start).days >= MAX_EXPORT_DAYS:
            errors[ids.AUDIT_TO_BLOCK] = f"Export at most {MAX_EXPORT_DAYS} days at a time."
        if errors or target is None or start is None or end is None:
            ack(response_action="errors", errors=errors or {ids.AUDIT_FROM_BLOCK: "This form is out of date; "
                                                            "run `/loyalty audit` again."})
            return
        ack(response_action="update", view=loading_modal("Export audit log"))
        interaction = Interaction.from_body(body, client, None, name="audit.export")
        card_id, channel_id = target

        def run() -> None:
            services.access.require(interaction.user_id, Role.ADMIN)
            since = datetime.combine(start, time.min, tzinfo=UTC)
            until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
            entries = list(services.store.audit.between(since, until, card_id))
            if entries:
                scope = f"-card-{card_id}" if card_id is not None else ""
                try:
                    client.files_upload_v2(
                        channel=channel_id, content=audit_csv(entries), title="Loyalty audit log",
                        filename=f"loyalty-audit{scope}-{start.isoformat()}-to-{end.isoformat()}.csv",
                        initial_comment=f"Audit log export by {mention(interaction.user_id)}: "
                                        f"{len(entries)} change(s), {start.isoformat()} to {end.isoformat()} (UTC).",
                    )
                except SlackApiError as exc:
                    raise UserError(
                        f"Slack refused the upload ({exc.response.get('error')}). If I'm not in that conversation, "
                        "invite me (`/invite @loyalty`) or run `/loyalty audit` somewhere I am, then export again."
                    ) from None
            client.views_update(view_id=interaction.view_id, view=export_done_modal(len(entries), start, end,
                                                                                    channel_id))

        services.defer(interaction, run)


def register(app: App, services: Services, router: Router) -> None:
    router.add("audit", show_audit, Role.ADMIN)
    on_action(app, services, ids.AUDIT_MORE, Role.ADMIN, more)
    _register_export(app, services)
