"""Stamps and rewards: `stamp`, `redeem`, the member card's Add stamp and Redeem buttons, the redeem modal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    NO_REWARD_TICKED,
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
from bot.views.forms import FormValues
from bot.views.member import OUT_OF_DATE
from handlers.base import Accepted, Answer, Listener, clicked_member, pick_member

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


@dataclass(frozen=True)
class Chosen:
    """The rewards ticked in the redeem modal, and whose they are."""

    card_id: int
    member_id: int
    reward_ids: list[int]


def redeem(services: Services, interaction: Interaction, chosen: Chosen) -> None:
    """Use the chosen rewards and show what was used; a refusal is explained over a freshly read list."""
    card = services.lookup.card(str(chosen.card_id))
    member_id, reward_ids = chosen.member_id, chosen.reward_ids
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


def read_redeem(form: FormValues) -> Answer:
    """The ticked reward ids; an option or member this app did not offer means the modal is out of date."""
    ref = ids.parse_member_ref(form.metadata)
    values = form.selected_all(ids.REDEEM_BLOCK, ids.REDEEM_INPUT)
    if ref is None or not all(value.isascii() and value.isdigit() and len(value) <= 18 for value in values):
        return error_modal(REDEEM_TITLE, OUT_OF_DATE)
    if not values:
        return {ids.REDEEM_BLOCK: NO_REWARD_TICKED}
    return Accepted(redeeming_modal(), Chosen(*ref, list(dict.fromkeys(int(value) for value in values))))


LISTENERS = [
    Listener("subcommand", "stamp", Role.OPERATOR, stamp_command),
    Listener("subcommand", "redeem", Role.OPERATOR, redeem_command, modal_title=REDEEM_TITLE),
    Listener("action", ids.MEMBER_STAMP, Role.OPERATOR, stamp_clicked),
    Listener("action", ids.MEMBER_REDEEM, Role.OPERATOR, redeem_clicked, modal_title=REDEEM_TITLE),
    Listener("submission", ids.REDEEM_VIEW, Role.OPERATOR, redeem, read=read_redeem),
]
