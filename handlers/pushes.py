"""`push`: targeted pushes behind a confirmation, and approvals in the approvals channel (approve, reject, cancel)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View

from bot import held, pushes
from bot.access import Role
from bot.commands import Push, Scheduled
from bot.interaction import Interaction
from bot.services import Services
from bot.views import ids
from bot.views.approvals import (
    CLOSED,
    GONE,
    REASON_MAX,
    REASON_TOO_LONG,
    REJECT_TITLE,
    WHY_NOT,
    approval_message,
    late_message,
    local_time,
    not_posted_message,
    reject_modal,
    rejected_modal,
    sent_for_approval_message,
)
from bot.views.common import Message, error_modal, fallback, loading_modal, modal, section
from bot.views.confirmations import confirmation_message
from bot.views.forms import FormValues
from bot.views.scheduled import scheduled_message
from handlers.base import Accepted, Answer, Listener
from handlers.guarded import stored_id

log = logging.getLogger(__name__)

CANCEL_TOO_LATE = {
    "executing": "That push is being sent right now, so it can no longer be cancelled.",
    "finished": "That push was already sent, so it can no longer be cancelled.",
    "cancelled": "That push was already cancelled.",
    "rejected": "That push was rejected, so it will not be sent.",
    "expired": "That push expired without approval, so it will not be sent.",
}


def ask_push(services: Services, interaction: Interaction, command: Push) -> None:
    """`push <card> [--to …] <message>`: a confirmation for a few members, else a request for approval."""
    send_at = pushes.send_at(services, interaction, command.at)
    card = services.lookup.card(command.card)
    recipients = pushes.resolve_recipients(services, card, command.recipients) if command.recipients else None
    if recipients is not None and not pushes.needs_approval(services, recipients):
        plan = held.push_plan(card, command.message, recipients, send_at)
        confirmation = held.ask(services, interaction, plan)
        interaction.reply(confirmation_message(plan, confirmation.id, confirmation.expires_at))
        return
    approval = pushes.request(services, interaction, card, command.message, recipients, send_at)
    channel = services.settings.loyalty_approvals_channel or ""
    try:
        posted = services.slack.chat_postMessage(channel=channel, **approval_message(approval, card.display_name)
                                                 .to_dict())
    except SlackClientError as exc:
        pushes.withdraw(services, approval)
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else "no answer"
        log.warning("could not post an approval request: %s", reason)
        interaction.reply(not_posted_message(channel, str(reason)))
        return
    services.store.held.set_message(approval.id, posted["channel"], posted["ts"])
    try:
        permalink = services.slack.chat_getPermalink(channel=posted["channel"], message_ts=posted["ts"])["permalink"]
    except (SlackClientError, KeyError):
        permalink = None  # the request is posted; the reply just goes without its link
    interaction.reply(sent_for_approval_message(approval, card.display_name, posted["channel"], permalink))


def _explain(services: Services, interaction: Interaction, result: held.NotDone) -> None:
    """Tell the clicker why their click changed nothing."""
    approval = result.held
    if approval is None or result.reason in WHY_NOT:
        text = WHY_NOT.get(result.reason, WHY_NOT["missing"])
        interaction.reply(Message(text=fallback(text), blocks=[section(f":information_source: {text}")]))
        return
    if result.reason == "expired":
        pushes.show_request(services, approval, interaction)  # nobody else will touch it again: drop its buttons
    # The request's own status line says who closed it and how; the message itself is the winner's to update.
    status = approval_message(approval, services.lookup.card_name(approval.card_id)).blocks[-1]
    interaction.reply(Message(text=CLOSED, blocks=[status]))


def approve(services: Services, interaction: Interaction, action: dict[str, Any], *, now_ok: bool = False) -> None:
    """Approve (admins only, not the requester): exactly one click anywhere starts the job that sends the push
    (at its time, when scheduled); the request shows where it stands until the job edits it with the outcome and
    tells the requester. Past a scheduled push's time, the approver is asked whether to send it now."""
    result = pushes.approve(services, interaction, stored_id(action), now_ok=now_ok)
    if isinstance(result, held.NotDone):
        _explain(services, interaction, result)
        return
    if isinstance(result, pushes.Late):
        interaction.reply(late_message(result.approval, services.lookup.card_name(result.approval.card_id)))
        return
    try:
        pushes.show_request(services, result, interaction)
    finally:
        held.start(interaction, result)


def send_now(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Send it now: the approval of a scheduled push whose time has passed."""
    approve(services, interaction, action, now_ok=True)


def list_scheduled(services: Services, interaction: Interaction, command: Scheduled) -> None:
    """`scheduled [<card>]`: the pushes waiting for their time, with Cancel."""
    card = services.lookup.card(command.card) if command.card else None
    waiting = pushes.waiting(services, card.id if card else None)
    interaction.reply(scheduled_message(waiting, services.lookup.card_name, card.display_name if card else None))


def cancel_scheduled(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Cancel on the list: the requester or an admin; nothing is sent, and the list shows what is left."""
    result = pushes.cancel_scheduled(services, interaction, stored_id(action))
    if isinstance(result, held.NotDone):
        text = WHY_NOT["missing"] if result.held is None else CANCEL_TOO_LATE.get(result.reason, CLOSED)
        interaction.reply(Message(text=fallback(text), blocks=[section(f":information_source: {text}")]))
        return
    interaction.reply(scheduled_message(pushes.waiting(services), services.lookup.card_name), replace=True)
    interaction.reply(Message(text=fallback("Cancelled"), blocks=[section(
        f":heavy_multiplication_x: Cancelled: the push to {services.lookup.card_name(result.card_id)} "
        f"scheduled for {local_time(result.send_at or result.created_at)} will not be sent.")]))


def cancel(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Cancel: only the requester, while the request is open."""
    result = held.click(services, interaction, stored_id(action), "approval", "cancel")
    if isinstance(result, held.NotDone):
        _explain(services, interaction, result)
        return
    pushes.show_request(services, result, interaction)


def _reject_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> View:
    approval = services.store.held.get(stored_id(action))
    if approval is None or approval.kind != "approval":
        return error_modal(REJECT_TITLE, GONE)
    name = services.lookup.card_name(approval.card_id)
    if not approval.is_open():
        if approval.state == "pending":
            pushes.show_request(services, approval, interaction)
        return modal(REJECT_TITLE, [approval_message(approval, name).blocks[-1]])
    return reject_modal(approval, name)


def open_reject_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Reject: the "Loading…" modal becomes the reason form (or says why the request can't be rejected)."""
    services.slack.views_update(view_id=interaction.view_id, view=_reject_form(services, interaction, action))


def read_reject(form: FormValues) -> Answer:
    reason = form.text(ids.APPROVAL_REASON_BLOCK, ids.APPROVAL_REASON_ACTION).strip()
    if len(reason) > REASON_MAX:
        return {ids.APPROVAL_REASON_BLOCK: REASON_TOO_LONG}
    return Accepted(loading_modal(REJECT_TITLE), (form.metadata, reason))


def reject(services: Services, interaction: Interaction, submitted: tuple[str, str]) -> None:
    """Reject with the reason given: the request in the channel and the requester are told."""
    approval_id, reason = submitted
    result = held.click(services, interaction, approval_id, "approval", "reject", reason or None)
    if isinstance(result, held.NotDone):
        closed = result.held
        blocks = ([approval_message(closed, services.lookup.card_name(closed.card_id)).blocks[-1]] if closed
                  else [section(GONE)])
        services.slack.views_update(view_id=interaction.view_id, view=modal(REJECT_TITLE, blocks))
        return
    pushes.show_request(services, result)
    pushes.tell_requester(services, result)
    services.slack.views_update(view_id=interaction.view_id, view=rejected_modal(result))


LISTENERS = [
    Listener("subcommand", "push", Role.OPERATOR, ask_push),
    Listener("action", ids.APPROVAL_APPROVE, Role.ADMIN, approve),
    Listener("action", ids.APPROVAL_SEND_NOW, Role.ADMIN, send_now),
    Listener("subcommand", "scheduled", Role.VIEWER, list_scheduled),
    # Cancel needs the requester or an admin: bot.pushes checks who clicked.
    Listener("action", ids.SCHEDULED_CANCEL, Role.VIEWER, cancel_scheduled),
    Listener("action", ids.APPROVAL_CANCEL, Role.OPERATOR, cancel),
    Listener("action", ids.APPROVAL_REJECT, Role.ADMIN, open_reject_form, modal_title=REJECT_TITLE),
    Listener("submission", ids.APPROVAL_REJECT_VIEW, Role.ADMIN, reject, read=read_reject),
]
