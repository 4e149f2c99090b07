"""`/loyalty scheduled`: the pushes waiting for their time (or for approval first), each with Cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from slack_sdk.models.blocks import Block

from bot.store import HeldChange
from bot.views import ids
from bot.views.approvals import local_time, mention
from bot.views.common import Message, button, context, fallback, inline, plural, section

SHOWN = 20
PREVIEW = 120


def _state(change: HeldChange) -> str:
    if change.kind == "approval" and change.state == "pending":
        return "waiting for approval"
    return f"approved by {mention(change.claimed_by)}" if change.kind == "approval" else "confirmed"


def _audience(change: HeldChange) -> str:
    if change.kind == "approval" and change.is_broadcast:
        return f"all {plural(change.recipient_count, 'member')}"
    count = len(change.params.get("members") or change.recipient_ids or ())
    return plural(count, "chosen member")


def scheduled_message(changes: Sequence[HeldChange], card_name: Callable[[int], str],
                      card: str | None = None) -> Message:
    """The scheduled pushes, soonest first: when (on each reader's clock), where, to whom, who asked, Cancel."""
    where = f" for {inline(card, 100)}" if card else ""
    if not changes:
        text = f"No pushes are scheduled{where}."
        return Message(text=fallback(text), blocks=[section(f":calendar: {text}")])
    blocks: list[Block] = [section(f":calendar: *{plural(len(changes), 'scheduled push', 'scheduled pushes')}*"
                                   f"{where}, soonest first:")]
    for change in changes[:SHOWN]:
        when = local_time(change.send_at) if change.send_at else "at once"
        line = (f"*{when}* to {_audience(change)} of *{inline(card_name(change.card_id), 100)}*, asked by "
                f"{mention(change.requester)}, {_state(change)}:\n>{inline(change.message, PREVIEW)}")
        blocks.append(section(line, accessory=button("Cancel", ids.SCHEDULED_CANCEL, change.id, style="danger")))
    if len(changes) > SHOWN:
        blocks.append(context(f"And {len(changes) - SHOWN} more."))
    blocks.append(context("Cancel is for the person who asked, or an admin."))
    return Message(text=fallback(f"{len(changes)} scheduled"), blocks=blocks)
