"""Adding and editing members: `add`, `edit`, the member card's Edit button, and the form they open.

The form is checked when it is submitted (field errors answer in the ack, on the field). A valid form is
acked with "Saving…" and saved in the worker, because the loyalty service may take longer than Slack's
3 seconds; if the service refuses a value, the form comes back through views.update with what the user
typed and the service's words on the field it named, so nothing typed is lost.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import members as rules
from bot.access import Role
from bot.commands import CardRef, MemberRef
from bot.coupontools import InvalidInput
from bot.coupontools.models import MEMBER_FIELDS, Card, Member
from bot.interaction import Interaction
from bot.logs import redact
from bot.services import Services
from bot.views import ids
from bot.views.common import error_modal
from bot.views.forms import (
    ADD_TITLE,
    EDIT_TITLE,
    FormState,
    form_values,
    member_form_modal,
    member_saved_modal,
    no_changes_modal,
    saving_modal,
)
from bot.views.member import member_message
from handlers.base import OUT_OF_DATE, Router, clicked_member, pick_member
from handlers.modals import on_modal_action

log = logging.getLogger(__name__)



def _open_form(services: Services, interaction: Interaction, card: Card, member: Member | None) -> None:
    values, shown = rules.prefill(member) if member else ({}, {})
    state = FormState(card.id, member.id if member else None, interaction.channel_id, shown)
    services.slack.views_update(view_id=interaction.view_id,
                                view=member_form_modal(card, state, values, member=member))


def add_member(services: Services, interaction: Interaction, command: CardRef) -> None:
    _open_form(services, interaction, services.lookup.card(command.card), None)


def edit_member(services: Services, interaction: Interaction, command: MemberRef) -> None:
    card = services.lookup.card(command.card)
    member = pick_member(services, interaction, card, command.member, EDIT_TITLE)
    if member is not None:
        _open_form(services, interaction, card, member)


def edit_clicked(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    card, member = clicked_member(services, action)
    _open_form(services, interaction, card, member)


def save_member(services: Services, interaction: Interaction, state: FormState, values: dict[str, str],
                fields: dict[str, str]) -> None:
    """Create or update the member (already validated), then show it; a refused value goes back to the form."""
    services.access.require(interaction.user_id, Role.OPERATOR)
    card = services.lookup.card(str(state.card_id))
    params = {"fields": sorted(fields)}  # the names of the fields sent, never their values
    try:
        if state.member_id is None:
            member = services.changes.perform(
                interaction, "member.create", lambda: services.loyalty.create_member(card.id, fields),
                card_id=card.id, params=params)
        else:
            member_id = state.member_id
            member = services.changes.perform(
                interaction, "member.update", lambda: services.loyalty.update_member(card.id, member_id, fields),
                card_id=card.id, member_ids=[member_id], params=params)
    except InvalidInput as refused:
        said = redact(refused.message)
        problems = {refused.field: f"The loyalty service says: {said}"} if refused.field in MEMBER_FIELDS else {}
        where = "See the marked field." if problems else f"It said: {said}"
        warning = f"The loyalty service refused this form, so nothing was saved. {where}"
        services.slack.views_update(view_id=interaction.view_id, view=member_form_modal(
            card, state, values, problems=problems, warning=warning))
        return
    changed = sorted(fields, key=MEMBER_FIELDS.index) if state.member_id is not None else []
    services.slack.views_update(view_id=interaction.view_id,
                                view=member_saved_modal(card, member, changed=changed))
    try:
        interaction.reply(member_message(card, member))
    except SlackApiError as exc:
        # The modal already shows the member; the extra card in the conversation is a convenience.
        log.warning("could not post the saved member's card: %s", exc.response.get("error"))


def register(app: App, services: Services, router: Router) -> None:
    router.add("add", add_member, Role.OPERATOR, modal_title=ADD_TITLE)
    router.add("edit", edit_member, Role.OPERATOR, modal_title=EDIT_TITLE)
    on_modal_action(app, services, ids.MEMBER_EDIT, Role.OPERATOR, EDIT_TITLE, edit_clicked)

    @app.view(ids.MEMBER_FORM_VIEW)
    def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        state = FormState.decode(view.get("private_metadata"))
        if state is None:
            ack(response_action="update", view=error_modal(EDIT_TITLE, OUT_OF_DATE))
            return
        values = rules.clean(form_values((view.get("state") or {}).get("values") or {}))
        if state.is_new:
            fields = rules.new_member_fields(values)
            problems = rules.problems(values)
        else:
            fields = rules.changes(values, state.shown)
            problems = rules.problems(values, check=fields)
        if problems:
            ack(response_action="errors",
                errors={ids.member_form_block(name): problem for name, problem in problems.items()})
            return
        if not fields:
            ack(response_action="update", view=no_changes_modal())
            return
        ack(response_action="update", view=saving_modal(state))
        name = "member.create" if state.is_new else "member.update"
        interaction = Interaction.from_body(body, client, None, name=name)
        interaction.channel_id = state.channel_id
        services.defer(interaction, save_member, services, interaction, state, values, fields)
