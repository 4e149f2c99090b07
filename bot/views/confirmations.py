"""Confirmations of changes that cannot be undone (void, delete, a targeted push), and what they turn into."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject

from bot.coupontools import Member
from bot.held import RESTARTED, NotDoneReason, Plan
from bot.store import HeldChange
from bot.views import ids
from bot.views.approvals import local_time, message_preview, when
from bot.views.common import Message, button, context, escape, fallback, format_time, inline, plain, plural, section

NAME = 150
BUTTON_OUT_OF_DATE = "That button is out of date. Run the command again."
NAMES_SHOWN = 25
LISTED_NAME = 80

_BUTTON = {"void": "Void card", "delete": "Delete member", "push": "Send push", "stamp": "Add stamps"}
_DONE = {"void": "voided", "delete": "deleted", "push": "sent", "stamp": "stamped"}


def _member(plan: Plan) -> str:
    member = plan.members[0]
    return f"*{inline(member.name, NAME)}* (member {member.id})"


def _card(plan: Plan) -> str:
    return f"*{inline(plan.card_name, NAME)}* (card {plan.card_id})"


def _recipients(plan: Plan) -> str:
    names = [f"{inline(m.name, LISTED_NAME)} ({m.id})" for m in plan.members[:NAMES_SHOWN]]
    rest = len(plan.members) - NAMES_SHOWN
    return ", ".join(names) + (f" and {rest} more" if rest > 0 else "")


def _what(plan: Plan) -> str:
    """What the action does, in words, naming whom it touches."""
    if plan.action == "void":
        return (f"Void the card of {_member(plan)} on {_card(plan)}. The card stops collecting stamps and "
                "rewards; it stays on record as voided.")
    if plan.action == "delete":
        return (f"Delete {_member(plan)} from {_card(plan)}. The member, their stamps and rewards are removed "
                "for good.")
    if plan.action == "stamp":
        return (f"Add *{plural(plan.amount or 0, 'stamp')}* to {_member(plan)} on {_card(plan)} at once. "
                "Every reward they earn becomes available to redeem.")
    return (f"Send a push to {plural(len(plan.members), 'member')} of {_card(plan)}: {_recipients(plan)}. "
            "Their phones get it at once.")


def confirmation_message(plan: Plan, confirmation_id: str, expires_at: datetime) -> Message:
    """The ephemeral asking to confirm: what, to whom, that it cannot be undone; a danger button and Cancel."""
    # Its own block, so however long the list of names, the warning is never cut off.
    blocks: list[Block] = [section(f":warning: {_what(plan)}"), section("*This cannot be undone.*")]
    if plan.send_at is not None:
        blocks.append(section(f":alarm_clock: Scheduled: it goes out *{local_time(plan.send_at)}* once you confirm."))
    if plan.message is not None:
        blocks.append(context(f"The message, exactly as members will see it "
                              f"({plural(len(plan.message), 'character')}):"))
        blocks += message_preview(plan.message)
    go = ButtonElement(
        text=plain(_BUTTON[plan.action], 75), action_id=ids.CONFIRM_RUN, value=confirmation_id, style="danger",
        confirm=ConfirmObject(
            title=f"{_BUTTON[plan.action]}?",
            text="This cannot be undone.",
            confirm=_BUTTON[plan.action], deny="Back", style="danger",
        ),
    )
    blocks.append(ActionsBlock(elements=[go, button("Cancel", ids.CONFIRM_CANCEL, confirmation_id)]))
    blocks.append(context(f"Nothing happens until you click. This expires on {when(expires_at)} (15 minutes)."))
    return Message(text=fallback(f"Confirm: {_BUTTON[plan.action].lower()}?"), blocks=blocks)


def _check_hint(plan: Plan) -> str:
    """How to find out whether a change whose outcome is unknown happened."""
    member = plan.members[0]
    if plan.action == "void":
        return (f"Look the member up with `/loyalty member {plan.card_id} {member.id}`: if it shows VOIDED, "
                "it happened.")
    if plan.action == "delete":
        return (f"Look the member up with `/loyalty member {plan.card_id} {member.id}`: if they are not found, "
                "it happened.")
    if plan.action == "stamp":
        return f"Look at their count with `/loyalty member {plan.card_id} {member.id}` before stamping again."
    return (f"Check with `/loyalty member {plan.card_id} <member>` (or the members' phones) and the card's push "
            "history in Coupontools before sending it again: sending twice notifies members twice.")


def sending_message(plan: Plan) -> Message:
    """The confirmation once clicked, until its job replaces it with how it ended."""
    if plan.send_at is not None:
        return Message(text=fallback("Scheduled"), blocks=[section(
            f":alarm_clock: Scheduled: {_BUTTON[plan.action].lower()} on {_card(plan)} goes out "
            f"{local_time(plan.send_at)}. `/loyalty scheduled` lists it, with Cancel."
        )])
    return Message(text=fallback("Sending…"), blocks=[section(
        f":hourglass_flowing_sand: {_BUTTON[plan.action]} on {_card(plan)}: on its way. The result will replace "
        "this message."
    )])


def finished_message(plan: Plan, change: HeldChange, problem: str | None, request_id: str) -> Message:
    """What the confirmation becomes once carried out: done, refused (with why), or unknown."""
    if change.state == "done":
        if plan.action == "push":
            total = change.total_recipients if change.total_recipients is not None else len(plan.members)
            line = (f":white_check_mark: Push sent to {_card(plan)}: the loyalty service delivered it to "
                    f"{plural(total, 'member')}.")
        else:
            line = f":white_check_mark: Done: {_member(plan)} was {_DONE[plan.action]} on {_card(plan)}."
        text = f"Done: {_DONE[plan.action]}"
    elif change.state == "failed":
        line = f":x: Not done: {escape(problem or 'the loyalty service refused it.')} Nothing was changed."
        text = "Not done"
    elif change.detail == RESTARTED:
        line = (f":warning: The bot restarted while sending the {plan.action}, so I can't tell whether it "
                f"happened, and it was not sent again. {_check_hint(plan)} (reference `{escape(request_id)}`)")
        text = "Outcome unknown"
    else:
        line = (f":warning: The loyalty service did not answer after the {plan.action} was sent, so I can't tell "
                f"whether it happened. {_check_hint(plan)} (reference `{escape(request_id)}`)")
        text = "Outcome unknown"
    return Message(text=fallback(text), blocks=[section(line)])


def cancelled_message(plan: Plan) -> Message:
    """The confirmation after Cancel."""
    return Message(text="Cancelled", blocks=[section(
        f":heavy_multiplication_x: Cancelled: nothing was changed. ({_BUTTON[plan.action]} on {_card(plan)})"
    )])


def expired_message(plan: Plan | None) -> Message:
    """The confirmation once it expired: the buttons go, and how to ask again."""
    again = f"Run `/loyalty {plan.action}` again if it is still needed." if plan and plan.action != "push" else (
        "Ask again if it is still needed.")
    return Message(text="Expired", blocks=[section(
        f":hourglass: This confirmation expired after 15 minutes, so nothing was changed. {again}"
    )])


_NOT_RUN = {
    "missing": "That confirmation no longer exists, so nothing was changed. Ask again if it is still needed.",
    "not_yours": "That confirmation belongs to the person who asked for it; only they can use its buttons. "
                 "Nothing was changed.",
    "cancelled": "That was cancelled, so nothing was changed.",
    "executing": "That is being carried out right now by an earlier click; its result will replace the message.",
    "finished": "That was already done by an earlier click; it runs only once.",
}


def not_run_notice(reason: NotDoneReason, plan: Plan | None) -> Message:
    """Tells a clicker why their click changed nothing (the message itself stays as the winning click left it)."""
    if reason == "expired":
        return expired_message(plan)
    text = _NOT_RUN.get(reason, _NOT_RUN["missing"])
    return Message(text=fallback(escape(text)), blocks=[section(f":information_source: {escape(text)}")])


def already_voided_text(member: Member, voided_at: datetime) -> str:
    """Why `void` does nothing for a member whose card is voided already."""
    return (f"{member.full_name}'s card (member {member.id}) was already voided on "
            f"{format_time(voided_at)}; there is nothing to do.")
