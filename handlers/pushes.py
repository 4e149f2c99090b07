"""`push`: targeted pushes behind a confirmation, and approvals in the approvals channel (approve, reject, cancel)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View

from bot import held, pushes
from bot.access import Role
from bot.commands import Push
from bot.interaction import Interaction
from bot.services import Services
from bot.store import HeldChange
from bot.views import ids
from bot.views.approvals import (
    REASON_MAX,
    approval_message,
    channel_link,
    reject_modal,
    rejected_modal,
    requester_notice,
    sent_for_approval_message,
)
from bot.views.common import Message, error_modal, escape, fallback, loading_modal, modal, section
from bot.views.confirmations import confirmation_message
from handlers.base import Router, on_action
from handlers.guarded import card_name, stored_id
from handlers.modals import on_modal_action

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
        interaction.reply(_not_posted(channel, str(reason)))
        return
    services.store.held.set_message(approval.id, posted["channel"], posted["ts"])
    try:
        permalink = services.slack.chat_getPermalink(channel=posted["channel"], message_ts=posted["ts"])["permalink"]
    except (SlackClientError, KeyError):
        permalink = None  # the request is posted; the reply just goes without its link
    interaction.reply(sent_for_approval_message(approval, card.display_name, posted["channel"], permalink))


def _not_posted(channel: str, reason: str) -> Message:
    text = (f":warning: I couldn't post the approval request in {channel_link(channel)} (Slack said "
            f"`{escape(reason)}`), so I cancelled it and nothing will be sent. Invite me to that channel "
            "(`/invite @loyalty`), or ask an admin to check LOYALTY_APPROVALS_CHANNEL, then try again.")
    return Message(text=fallback("The approval request could not be posted; nothing will be sent."),
                   blocks=[section(text)])


def _refresh(services: Services, approval: HeldChange, interaction: Interaction | None = None) -> None:
    """Make the request in the channel show where it stands (and drop its buttons once closed)."""
    channel = approval.message_channel_id or (interaction.channel_id if interaction else None)
    ts = approval.message_ts or (interaction.message_ts if interaction else None)
    if not channel or not ts:
        return
    try:
        services.slack.chat_update(channel=channel, ts=ts,
                                   **approval_message(approval, card_name(services, approval.card_id)).to_dict())
    except SlackClientError:
        log.warning("could not update the approval request %s", approval.id)


def _tell_requester(services: Services, approval: HeldChange) -> None:
    """Privately, where they asked (else in a DM): what became of their push."""
    message = requester_notice(approval, card_name(services, approval.card_id)).to_dict()
    if approval.channel_id and approval.channel_id[:1] in ("C", "G"):
        try:
            services.slack.chat_postEphemeral(channel=approval.channel_id, user=approval.requester, **message)
            return
        except SlackClientError:
            log.info("could not tell the requester in the channel they asked from; trying a DM")
    try:
        services.slack.chat_postMessage(channel=approval.requester, **message)
    except SlackClientError:
        log.warning("could not tell the requester what became of approval %s", approval.id)


_WHY_NOT = {
    "missing": "That approval request no longer exists, so nothing was sent.",
    "own": "You asked for this push, so another admin has to approve it. You can still cancel it.",
    "not_yours": "Only the person who asked for this push can cancel it; an admin can reject it instead.",
}


def _explain(services: Services, interaction: Interaction, result: held.NotDone) -> None:
    """Tell the clicker why their click changed nothing."""
    approval = result.held
    if approval is None or result.reason in _WHY_NOT:
        text = _WHY_NOT.get(result.reason, _WHY_NOT["missing"])
        interaction.reply(Message(text=fallback(text), blocks=[section(f":information_source: {text}")]))
        return
    if result.reason == "expired":
        _refresh(services, approval, interaction)  # nobody else will touch an expired request: drop its buttons
    # The request's own status line says who closed it and how; the message itself is the winner's to update.
    status = approval_message(approval, card_name(services, approval.card_id)).blocks[-1]
    interaction.reply(Message(text="This push request is closed.", blocks=[status]))


def approve(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Approve (admins only, not the requester): exactly one click anywhere sends the push."""
    result = pushes.approve(services, interaction, stored_id(action))
    if isinstance(result, held.NotDone):
        _explain(services, interaction, result)
        return
    _refresh(services, result.held, interaction)
    _tell_requester(services, result.held)


def cancel(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Cancel: only the requester, while the request is open."""
    result = held.click(services, interaction, stored_id(action), "approval", "cancel")
    if isinstance(result, held.NotDone):
        _explain(services, interaction, result)
        return
    _refresh(services, result, interaction)


def _reject_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> View:
    approval = services.store.held.get(stored_id(action))
    if approval is None or approval.kind != "approval":
        return error_modal("Reject push", "That approval request no longer exists.")
    name = card_name(services, approval.card_id)
    if not approval.is_open():
        if approval.state == "pending":
            _refresh(services, approval, interaction)
        return modal("Reject push", [approval_message(approval, name).blocks[-1]])
    return reject_modal(approval, name)


def open_reject_form(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Reject: the "Loading…" modal becomes the reason form (or says why the request can't be rejected)."""
    services.slack.views_update(view_id=interaction.view_id, view=_reject_form(services, interaction, action))


def _register_reject(app: App, services: Services) -> None:
    on_modal_action(app, services, ids.APPROVAL_REJECT, Role.ADMIN, "Reject push", open_reject_form)

    @app.view(ids.APPROVAL_REJECT_VIEW)
    def submit_reject(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view.get("state", {}).get("values", {})
        reason = str((values.get(ids.APPROVAL_REASON_BLOCK, {}).get(ids.APPROVAL_REASON_ACTION) or {})
                     .get("value") or "").strip()
        if len(reason) > REASON_MAX:
            ack(response_action="errors",
                errors={ids.APPROVAL_REASON_BLOCK: f"Keep it under {REASON_MAX} characters."})
            return
        ack(response_action="update", view=loading_modal("Reject push"))
        interaction = Interaction.from_body(body, client, None, name="approval.reject.submit")

        def run() -> None:
            services.access.require(interaction.user_id, Role.ADMIN)
            result = held.click(services, interaction, str(view.get("private_metadata") or ""), "approval", "reject",
                                reason or None)
            if isinstance(result, held.NotDone):
                closed = result.held
                blocks = ([approval_message(closed, card_name(services, closed.card_id)).blocks[-1]] if closed
                          else [section("That approval request no longer exists.")])
                client.views_update(view_id=interaction.view_id, view=modal("Reject push", blocks))
                return
            _refresh(services, result)
            _tell_requester(services, result)
            client.views_update(view_id=interaction.view_id, view=rejected_modal(result))

        services.defer(interaction, run)


def register(app: App, services: Services, router: Router) -> None:
    router.add("push", ask_push, Role.OPERATOR)
    on_action(app, services, ids.APPROVAL_APPROVE, Role.ADMIN, approve)
    on_action(app, services, ids.APPROVAL_CANCEL, Role.OPERATOR, cancel)
    _register_reject(app, services)
