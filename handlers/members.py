"""Adding and editing members: `add`, `edit`, the member card's Edit button, and the form they open.

The form is checked when it is submitted (field errors answer in the ack, on the field). A valid form is
acked with "Saving…" and saved in the worker, because the loyalty service may take longer than Slack's
3 seconds; if the service refuses a value, the form comes back through views.update with what the user
typed and the service's words on the field it named, so nothing typed is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

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
    FormValues,
    duplicate_form_modal,
    form_values,
    member_form_modal,
    member_saved_modal,
    no_changes_modal,
    refused_form_modal,
    saving_modal,
)
from bot.views.member import OUT_OF_DATE, member_message
from handlers.base import Accepted, Answer, Listener, clicked_member, pick_member

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


@dataclass(frozen=True)
class Submitted:
    """A checked member form: what it was opened for, what it holds, and the fields to send."""

    state: FormState
    values: dict[str, str]
    fields: dict[str, str]


def save_member(services: Services, interaction: Interaction, submitted: Submitted) -> None:
    """Create or update the member (already validated), then show it; a refused value goes back to the form."""
    state, values, fields = submitted.state, submitted.values, submitted.fields
    card = services.lookup.card(str(state.card_id))
    params = {"fields": sorted(fields)}  # the names of the fields sent, never their values
    if state.is_new and not state.force:
        duplicates = _duplicates(services, card, fields)
        if duplicates:
            services.slack.views_update(view_id=interaction.view_id,
                                        view=duplicate_form_modal(card, state, values, duplicates))
            return
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
        services.slack.views_update(view_id=interaction.view_id, view=refused_form_modal(
            card, state, values, refused.field, redact(refused.message)))
        return
    changed = sorted(fields, key=MEMBER_FIELDS.index) if state.member_id is not None else []
    services.slack.views_update(view_id=interaction.view_id,
                                view=member_saved_modal(card, member, changed=changed))
    try:
        interaction.reply(member_message(card, member, role=services.access.role_of(interaction.user_id)))
    except SlackApiError as exc:
        # The modal already shows the member; the extra card in the conversation is a convenience.
        log.warning("could not post the saved member's card: %s", exc.response.get("error"))


def _duplicates(services: Services, card: Card, fields: dict[str, str]) -> list[tuple[Member, str]]:
    """The members of the card who already have the new member's email or phone, and which."""
    found: list[tuple[Member, str]] = []
    for name in ("email", "phone"):
        value = fields.get(name)
        if value:
            found += [(member, name) for member in services.lookup.find_members(card, value)]
    return found


def read_form(form: FormValues) -> Answer:
    """Check the member form in the ack: field errors on their fields, and only changed fields sent."""
    state = FormState.decode(form.metadata)
    if state is None:
        return error_modal(EDIT_TITLE, OUT_OF_DATE)
    values = rules.clean(form_values(form))
    region = form.phone_region
    if state.is_new:
        fields = rules.new_member_fields(values, region)
        problems = rules.problems(values, region=region)
    else:
        fields = rules.changes(values, state.shown, region)
        problems = rules.problems(values, check=fields, region=region)
    if problems:
        return {ids.member_form_block(name): problem for name, problem in problems.items()}
    if not fields:
        return no_changes_modal()
    return Accepted(saving_modal(state), Submitted(state, values, fields), channel_id=state.channel_id)


LISTENERS = [
    Listener("subcommand", "add", Role.OPERATOR, add_member, modal_title=ADD_TITLE),
    Listener("subcommand", "edit", Role.OPERATOR, edit_member, modal_title=EDIT_TITLE),
    Listener("action", ids.MEMBER_EDIT, Role.OPERATOR, edit_clicked, modal_title=EDIT_TITLE),
    Listener("submission", ids.MEMBER_FORM_VIEW, Role.OPERATOR, save_member, read=read_form),
]
