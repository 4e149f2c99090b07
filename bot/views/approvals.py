"""Push approvals: the request in the approvals channel (and what it becomes), the requester's notices, the
reject modal, and the exact preview of a push's message that confirmations show too."""

from __future__ import annotations

import re
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.held import RESTARTED
from bot.store import HeldChange
from bot.views import ids
from bot.views.common import (
    SECTION_TEXT,
    Message,
    button,
    context,
    escape,
    fallback,
    format_time,
    header,
    inline,
    modal,
    plain,
    plural,
    section,
    slack_length,
)

REASON_MAX = 500
REJECT_TITLE = "Reject push"
GONE = "That approval request no longer exists."
CLOSED = "This push request is closed."
REASON_TOO_LONG = f"Keep it under {REASON_MAX} characters."
WHY_NOT = {
    "missing": "That approval request no longer exists, so nothing was sent.",
    "own": "You asked for this push, so another admin has to approve it. You can still cancel it.",
    "not_yours": "Only the person who asked for this push can cancel it; an admin can reject it instead.",
}
"""Why a click on an approval request changed nothing, by the reason bot.held gives."""
IDS_SHOWN = 50
"""Member ids listed on a targeted request before the rest is summarised."""
CARD_NAME = 200
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")


def mention(user_id: str | None) -> str:
    """`<@U…>` for a Slack user id, so Slack shows the person's name; anything else is shown inert."""
    if user_id and _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape(user_id or "someone")


def channel_link(channel_id: str) -> str:
    """`<#C…>` for a channel id, so Slack shows its name; anything else is shown inert."""
    return f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id) else escape(channel_id)


def when(moment: datetime | None) -> str:
    """A stored (UTC) time the way people read it."""
    return f"{format_time(moment)} UTC" if moment else "an unknown time"


def local_time(moment: datetime) -> str:
    """A moment each reader sees on their own clock (Slack's date token), with UTC for clients that can't."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{when(moment)}>"


def _chunks(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current, size = "", 0
    for char in text:
        width = slack_length(char)
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += width
    chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def message_preview(message: str) -> list[Block]:
    """The push's text exactly as members get it: plain text (no formatting, links or emoji codes applied),
    split over as many sections as Slack's length limit needs rather than cut."""
    return [
        SectionBlock(text=PlainTextObject(text=chunk, emoji=False)) for chunk in _chunks(message, SECTION_TEXT)
    ]


def _audience(approval: HeldChange, card_name: str) -> str:
    card = f"*{inline(card_name, CARD_NAME)}* (card {approval.card_id})"
    if approval.is_broadcast:
        return f"*all {plural(approval.recipient_count, 'member')}* of {card}"
    return f"{plural(approval.recipient_count, 'chosen member')} of {card}"


def _recipient_ids(approval: HeldChange) -> list[Block]:
    if approval.recipient_ids is None:
        return []
    shown = ", ".join(str(member_id) for member_id in approval.recipient_ids[:IDS_SHOWN])
    rest = len(approval.recipient_ids) - IDS_SHOWN
    more = f" and {rest} more" if rest > 0 else ""
    return [context(f"Member ids: {shown}{more}")]


def _status(approval: HeldChange, now: datetime | None) -> str:
    """One line saying where the request stands."""
    approved = f"Approved by {mention(approval.claimed_by)} on {when(approval.claimed_at)}"
    state = approval.state
    if state == "pending" and not approval.is_open(now):
        state = "expired"
    if state == "executing" and approval.send_at is not None and approval.sent_at is None:
        return f":alarm_clock: {approved}; it goes out {local_time(approval.send_at)}."
    if state == "executing":
        return f":hourglass_flowing_sand: {approved}; sending now…"
    if state == "done":
        sent = approval.total_recipients if approval.total_recipients is not None else approval.recipient_count
        return f":white_check_mark: {approved} and sent: the loyalty service delivered it to {plural(sent, 'member')}."
    if state == "failed":
        return (f":x: {approved}, but the loyalty service refused the push, so nothing was sent. "
                f"{mention(approval.requester)} can fix it and ask again.")
    if state == "unknown" and approval.detail == RESTARTED:
        return (f":warning: {approved}, but the bot restarted while sending, so I can't tell whether the push "
                f"went out, and it was not sent again. Check with `/loyalty member {approval.card_id} <member>` "
                "(or the members' phones) before sending it again.")
    if state == "unknown":
        return (f":warning: {approved}, but the loyalty service did not answer, so I can't tell whether the push "
                "went out. Check the card's push history in Coupontools before sending it again.")
    if state == "rejected":
        reason = f" Reason: {inline(approval.reason, REASON_MAX)}" if approval.reason else ""
        return f":no_entry: Rejected by {mention(approval.closed_by)} on {when(approval.finished_at)}.{reason}"
    if state == "cancelled":
        return (f":heavy_multiplication_x: Cancelled by {mention(approval.closed_by or approval.requester)} on "
                f"{when(approval.finished_at)}. Nothing was sent.")
    return (f":hourglass: Expired on {when(approval.expires_at)} without approval, so nothing was sent. "
            "Ask again with `/loyalty push` if it is still wanted.")


def approval_message(approval: HeldChange, card_name: str, *, now: datetime | None = None) -> Message:
    """The request in the approvals channel: buttons while it is open, then a line saying how it ended."""
    open_ = approval.is_open(now)
    blocks: list[Block] = [
        header("Push waiting for approval" if open_ else "Push request"),
        section(f":mega: {mention(approval.requester)} asks to send a push to {_audience(approval, card_name)}."),
        context(f"The message, exactly as members will see it ({plural(len(approval.message), 'character')}):"),
        *message_preview(approval.message),
        *_recipient_ids(approval),
        *_scheduled(approval),
    ]
    if open_:
        blocks.append(context(
            f"Only an admin other than {mention(approval.requester)} can approve. "
            f"It expires on {when(approval.expires_at)}."
        ))
        blocks.append(approval_buttons(approval))
    else:
        blocks.append(section(_status(approval, now)))
    text = f"Push to {plural(approval.recipient_count, 'member')} of {inline(card_name, CARD_NAME)}"
    return Message(text=fallback(f"{text}: {'waiting for approval' if open_ else 'closed'}"), blocks=blocks)


def _scheduled(approval: HeldChange) -> list[Block]:
    if approval.send_at is None:
        return []
    return [section(f":alarm_clock: Scheduled for *{local_time(approval.send_at)}*: approval comes first, and "
                    "it goes out at that time.")]


def late_message(approval: HeldChange, card_name: str) -> Message:
    """The approver's ephemeral when the time set for the push has passed: send it now, or leave it."""
    go = ButtonElement(
        text=plain("Send it now", 75), action_id=ids.APPROVAL_SEND_NOW, value=approval.id, style="primary",
        confirm=ConfirmObject(title="Send this push now?", text="It goes out at once and cannot be taken back.",
                              confirm="Send it", deny="Not yet", style="primary"),
    )
    text = (f":alarm_clock: This push to {_audience(approval, card_name)} was scheduled for "
            f"{local_time(approval.send_at or approval.created_at)}, which has passed. Send it now instead? "
            "Nothing is sent unless you click.")
    return Message(text=fallback("The time set for this push has passed: send it now?"),
                   blocks=[section(text), ActionsBlock(elements=[go])])


def approval_buttons(approval: HeldChange) -> ActionsBlock:
    """Approve (with Slack's own confirmation), Reject and Cancel; each valued with the approval id."""
    count = plural(approval.recipient_count, "member")
    approve = ButtonElement(
        text=plain("Approve and send", 75), action_id=ids.APPROVAL_APPROVE, value=approval.id, style="primary",
        confirm=ConfirmObject(
            title="Send this push?",
            text=f"It goes to {count} at once and cannot be taken back.",
            confirm="Send it", deny="Not yet", style="primary",
        ),
    )
    return ActionsBlock(elements=[
        approve,
        button("Reject", ids.APPROVAL_REJECT, approval.id, style="danger"),
        button("Cancel (requester)", ids.APPROVAL_CANCEL, approval.id),
    ])


def sent_for_approval_message(approval: HeldChange, card_name: str, channel_id: str, permalink: str | None) -> Message:
    """The requester's ephemeral: their push waits in the approvals channel."""
    where = channel_link(channel_id)
    if permalink and permalink.startswith("https://"):
        where += f" (<{escape(permalink.replace('|', '%7C'))}|open the request>)"
    at = f" It goes out {local_time(approval.send_at)}, once approved." if approval.send_at else ""
    text = (f":inbox_tray: Sent for approval: your push to {_audience(approval, card_name)} waits in {where}.{at} "
            "An admin other than you has to approve it; I'll tell you when they do. You can cancel it there.")
    return Message(text=fallback(f"Your push to {inline(card_name, CARD_NAME)} was sent for approval"),
                   blocks=[section(text)])


def requester_notice(approval: HeldChange, card_name: str) -> Message:
    """What the requester is told when someone approved, rejected or the push ended."""
    lead = f"Your push to {_audience(approval, card_name)}:"
    status = _status(approval, None)
    return Message(text=fallback(f"Your push to {inline(card_name, CARD_NAME)}: {approval.state}"),
                   blocks=[section(f"{lead}\n{status}"), *message_preview(approval.message)[:1]])


def reject_modal(approval: HeldChange, card_name: str) -> View:
    """Asks an admin why they reject the push (optional); the requester sees the reason."""
    reason = InputBlock(
        block_id=ids.APPROVAL_REASON_BLOCK, optional=True,
        label=plain("Reason (optional)", 2000),
        hint=plain("The person who asked will see it.", 2000),
        element=PlainTextInputElement(action_id=ids.APPROVAL_REASON_ACTION, multiline=True, max_length=REASON_MAX),
    )
    return modal(
        REJECT_TITLE,
        [section(f"Reject the push {mention(approval.requester)} asked for, to {_audience(approval, card_name)}?"),
         *message_preview(approval.message)[:1], reason],
        callback_id=ids.APPROVAL_REJECT_VIEW, submit="Reject", close="Back", private_metadata=approval.id,
    )


def rejected_modal(approval: HeldChange) -> View:
    """The reject modal once done."""
    return modal(REJECT_TITLE, [section(
        f":no_entry: Rejected. {mention(approval.requester)} has been told, and the request in the channel says so."
    )])


def not_posted_message(channel: str, reason: str) -> Message:
    """The approval request could not be posted in `channel` (Slack said `reason`), so it was withdrawn."""
    text = (f":warning: I couldn't post the approval request in {channel_link(channel)} (Slack said "
            f"`{escape(reason)}`), so I cancelled it and nothing will be sent. Invite me to that channel "
            "(`/invite @loyalty`), or ask an admin to check LOYALTY_APPROVALS_CHANNEL, then try again.")
    return Message(text=fallback("The approval request could not be posted; nothing will be sent."),
                   blocks=[section(text)])
