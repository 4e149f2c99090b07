"""`push`: targeted pushes behind a confirmation, and approvals in the approvals channel (approve, reject, cancel)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View

from bot import held, pushes
from bot.access import Role
from bot.commands import Push
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
    not_posted_message,
    reject_modal,
    rejected_modal,
    sent_for_approval_message,
)
from bot.views.common import Message, error_modal, fallback, loading_modal, modal, section
from bot.views.confirmations import confirmation_message
from bot.views.forms import FormValues
from handlers.base import Accepted, Answer, Listener
from handlers.guarded import stored_id

log = logging.getLogger(__name__)


def ask_push(services: Services, interaction: Interaction, command: Push) -> None:
    """`push <card> [--to …] <message>`: a confirmation for a few members, else a request for approval."""
    card = services.lookup.card(command.card)
    recipients = pushes.resolve_recipients(services, card, command.recipients) if command.recipients else None
    if recipients is not None and not pushes.needs_approval(services, recipients):
        plan = held.push_plan(card, command.message, recipients)
        confirmation = held.ask(services, interaction, plan)
        interaction.reply(confirmation_message(plan, confirmation.id, confirmation.expires_at))
        return
    approval = pushes.request(services, interaction, card, command.message, recipients)
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


def approve(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Approve (admins only, not the requester): exactly one click anywhere starts the job that sends the push;
    the request shows "sending now…" until the job edits it with the outcome and tells the requester."""
    result = pushes.approve(services, interaction, stored_id(action))
    if isinstance(result, held.NotDone):
        _explain(services, interaction, result)
        return
    try:
        pushes.show_request(services, result, interaction)
    finally:
        held.start(interaction, result)


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
    Listener("action", ids.APPROVAL_CANCEL, Role.OPERATOR, cancel),
    Listener("action", ids.APPROVAL_REJECT, Role.ADMIN, open_reject_form, modal_title=REJECT_TITLE),
    Listener("submission", ids.APPROVAL_REJECT_VIEW, Role.ADMIN, reject, read=read_reject),
]
