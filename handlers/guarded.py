"""Void and delete behind a confirmation button, and the Confirm and Cancel clicks of every confirmation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from bot import held
from bot.access import Role
from bot.commands import MemberRef
from bot.coupontools import Card, Member
from bot.errors import UserError, describe
from bot.interaction import Interaction
from bot.services import Services
from bot.views import ids
from bot.views.changes import stamp_result_message
from bot.views.confirmations import (
    BUTTON_OUT_OF_DATE,
    already_voided_text,
    cancelled_message,
    confirmation_message,
    finished_message,
    not_run_notice,
    sending_message,
)
from handlers.base import Listener, clicked_member, pick_member

_STORED_ID = re.compile(r"[0-9a-f]{32}")
"""Confirmation and approval ids are uuid4 hex: a button value of any other shape was not written by us."""


def stored_id(action: dict[str, Any]) -> str:
    """The confirmation or approval id a button carries; UserError when the button is not one of ours."""
    value = str(action.get("value") or "")
    if not _STORED_ID.fullmatch(value):
        raise UserError(BUTTON_OUT_OF_DATE)
    return value


def _ask(services: Services, interaction: Interaction, action: Literal["void", "delete"], card: Card,
         member: Member) -> None:
    if action == "void" and member.voided_at is not None:
        raise UserError(already_voided_text(member, member.voided_at))
    plan = held.member_plan(action, card, member)
    confirmation = held.ask(services, interaction, plan)
    interaction.reply(confirmation_message(plan, confirmation.id, confirmation.expires_at))


def ask_from_command(services: Services, interaction: Interaction, command: MemberRef) -> None:
    """`void <card> <member>` / `delete <card> <member>`: find the member, then ask to confirm."""
    card = services.lookup.card(command.card)
    member = pick_member(services, interaction, card, command.member, command.name.capitalize())
    if member is not None:
        _ask(services, interaction, "void" if command.name == "void" else "delete", card, member)


def ask_from_button(action: Literal["void", "delete"]) -> Callable[[Services, Interaction, dict[str, Any]], None]:
    """The member card's Void / Delete button: the same confirmation as the command."""

    def run(services: Services, interaction: Interaction, payload: dict[str, Any]) -> None:
        card, member = clicked_member(services, payload)
        _ask(services, interaction, action, card, member)

    return run


def run_confirmation(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Confirm: only the click that claims the confirmation starts its job; the job replaces the message with
    the outcome."""
    result = held.confirm(services, interaction, stored_id(action))
    if isinstance(result, held.NotDone):
        # Only an expired confirmation replaces the message: otherwise the winning click's outcome stays.
        interaction.reply(not_run_notice(result.reason, result.plan), replace=result.reason == "expired")
        return
    claimed, plan = result
    if plan.action == "stamp":  # at the till: the answer, with any reward earned, comes in this very reply
        ran = held.execute(services, interaction, claimed)
        if ran.outcome == "ok" and isinstance(ran.result, Member):
            after = ran.result
            before = after.model_copy(update={"rewards": [r for r in after.rewards if r.id in plan.had]})
            card = services.lookup.card(str(plan.card_id))
            interaction.reply(stamp_result_message(card, before, after, plan.amount or 0), replace=True)
            return
        problem = describe(ran.error, interaction.request_id) if ran.error and ran.outcome == "failed" else None
        done = services.store.held.get(claimed.id) or claimed
        interaction.reply(finished_message(plan, done, problem, interaction.request_id), replace=True)
        return
    try:
        interaction.reply(sending_message(plan), replace=True)
    finally:
        held.start(interaction, claimed)


def cancel_confirmation(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Cancel: close the confirmation, if still open, and say nothing was changed."""
    result = held.cancel(services, interaction, stored_id(action))
    if isinstance(result, held.NotDone):
        interaction.reply(not_run_notice(result.reason, result.plan), replace=result.reason == "expired")
        return
    interaction.reply(cancelled_message(result), replace=True)


LISTENERS = [
    Listener("subcommand", "void", Role.ADMIN, ask_from_command),
    Listener("subcommand", "delete", Role.ADMIN, ask_from_command),
    Listener("action", ids.MEMBER_VOID, Role.ADMIN, ask_from_button("void")),
    Listener("action", ids.MEMBER_DELETE, Role.ADMIN, ask_from_button("delete")),
    # The role each confirmation needs depends on its action (admin to void, operator to push): bot.held
    # checks it at the click, so the refusal names the right role.
    Listener("action", ids.CONFIRM_RUN, Role.VIEWER, run_confirmation),
    Listener("action", ids.CONFIRM_CANCEL, Role.VIEWER, cancel_confirmation),
]
