"""Stamps and rewards: `stamp`, `redeem`, the member card's Add stamp and Redeem buttons, the redeem modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.access import Role
from bot.commands import MemberRef, Stamp
from bot.coupontools import InvalidInput, OutcomeUnknown
from bot.coupontools.models import Card, Member
from bot.errors import UserError
from bot.interaction import Interaction
from bot.logs import redact
from bot.services import Services
from bot.views import ids
from bot.views.changes import (
    REDEEM_TITLE,
    no_stamps_text,
    redeem_modal,
    redeem_refusal,
    redeemed_modal,
    redeeming_modal,
    stamp_result_message,
    stamp_unknown_message,
    voided_text,
)
from bot.views.common import error_modal
from handlers.base import OUT_OF_DATE, Router, clicked_member, on_action, pick_member
from handlers.modals import on_modal_action

BUTTON_STAMPS = 1
"""The Add stamp button adds one stamp at once: the common case at a till; `/loyalty stamp` takes an amount."""


def add_stamps(services: Services, interaction: Interaction, card: Card, member: Member, amount: int) -> None:
    """Add stamps to a freshly read member and say what came of it; an unanswered request is never resent."""
    if card.type == "membership":
        raise UserError(no_stamps_text(card))
    if member.is_voided:
        raise UserError(voided_text(card, member))
    try:
        after = services.changes.perform(
            interaction, "stamp", lambda: services.loyalty.add_stamps(card.id, member.id, amount),
            card_id=card.id, member_ids=[member.id], params={"amount": amount})
    except OutcomeUnknown:
        interaction.reply(stamp_unknown_message(card, member, amount))
        return
    interaction.reply(stamp_result_message(card, member, after, amount))


def stamp_command(services: Services, interaction: Interaction, command: Stamp) -> None:
    card = services.lookup.card(command.card)
    member = pick_member(services, interaction, card, command.member, "Add stamps")
    if member is not None:
        add_stamps(services, interaction, card, member, command.amount)


def stamp_clicked(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    card, member = clicked_member(services, action)
    add_stamps(services, interaction, card, member, BUTTON_STAMPS)


def redeem_command(services: Services, interaction: Interaction, command: MemberRef) -> None:
    card = services.lookup.card(command.card)
    member = pick_member(services, interaction, card, command.member, REDEEM_TITLE)
    if member is not None:
        services.slack.views_update(view_id=interaction.view_id, view=redeem_modal(card, member))


def redeem_clicked(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    card, member = clicked_member(services, action)
    services.slack.views_update(view_id=interaction.view_id, view=redeem_modal(card, member))


def redeem(services: Services, interaction: Interaction, card_id: int, member_id: int,
           reward_ids: list[int]) -> None:
    """Use the chosen rewards and show what was used; a refusal is explained over a freshly read list."""
    services.access.require(interaction.user_id, Role.OPERATOR)
    card = services.lookup.card(str(card_id))
    try:
        member = services.changes.perform(
            interaction, "redeem", lambda: services.loyalty.use_rewards(card.id, member_id, reward_ids),
            card_id=card.id, member_ids=[member_id], params={"reward_ids": reward_ids})
    except InvalidInput as refused:
        fresh = services.loyalty.get_member(card.id, member_id)
        services.slack.views_update(view_id=interaction.view_id, view=redeem_modal(
            card, fresh, warning=redeem_refusal(redact(refused.message))))
        return
    services.slack.views_update(view_id=interaction.view_id, view=redeemed_modal(card, member, reward_ids))


def _chosen(view: dict[str, Any]) -> list[int] | None:
    """The reward ids ticked in the redeem modal, or None when an option is not one this app offered."""
    entry = (((view.get("state") or {}).get("values") or {}).get(ids.REDEEM_BLOCK) or {}).get(ids.REDEEM_INPUT)
    options = (entry or {}).get("selected_options") or []
    values = [str((option or {}).get("value") or "") for option in options]
    if not all(value.isascii() and value.isdigit() and len(value) <= 18 for value in values):
        return None
    return list(dict.fromkeys(int(value) for value in values))


def register(app: App, services: Services, router: Router) -> None:
    router.add("stamp", stamp_command, Role.OPERATOR)
    router.add("redeem", redeem_command, Role.OPERATOR, modal_title=REDEEM_TITLE)
    on_action(app, services, ids.MEMBER_STAMP, Role.OPERATOR, stamp_clicked)
    on_modal_action(app, services, ids.MEMBER_REDEEM, Role.OPERATOR, REDEEM_TITLE, redeem_clicked)

    @app.view(ids.REDEEM_VIEW)
    def submit_redeem(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        ref = ids.parse_member_ref(view.get("private_metadata"))
        chosen = _chosen(view)
        if ref is None or chosen is None:
            ack(response_action="update", view=error_modal(REDEEM_TITLE, OUT_OF_DATE))
            return
        if not chosen:
            ack(response_action="errors", errors={ids.REDEEM_BLOCK: "Tick at least one reward to use."})
            return
        ack(response_action="update", view=redeeming_modal())
        interaction = Interaction.from_body(body, client, None, name="redeem")
        services.defer(interaction, redeem, services, interaction, *ref, chosen)
