"""`/loyalty export`: the confirmation that says the file holds contact details, and what happened after."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock

from bot.coupontools.models import Card
from bot.views import ids
from bot.views.approvals import when
from bot.views.common import Message, button, context, fallback, inline, notice, plural, section

NAME = 150
EXPORT_OUT_OF_DATE = "That button is out of date. Run `/loyalty export` again."
_STATE_WORDS = {
    "executing": "is already being prepared; the file will arrive in your DM",
    "done": "has already been sent to your DM",
    "failed": "has already been tried and failed; run `/loyalty export` again",
    "unknown": "has already been tried; check your DM before running `/loyalty export` again",
    "cancelled": "was cancelled",
    "expired": "waited too long and expired; run `/loyalty export` again",
    "pending": "waited too long and expired; run `/loyalty export` again",
}


def export_confirmation(card: Card, include_voided: bool, confirmation_id: str, expires_at: datetime) -> Message:
    """Ask before making the file: it holds every member's contact details, and goes to the asker alone."""
    name = inline(card.display_name, NAME)
    which = "every member, voided cards included," if include_voided else "every member with a live card,"
    text = (f":lock: *Export the members of {name}?*\nThe CSV file will hold {which} and their contact "
            "details (names, email, phone, address, custom fields). It is sent to you alone, in a direct "
            "message, never in a channel. Keep it private and delete it when you are done.")
    return Message(
        text=fallback(f"Export the members of {name}? The file holds contact details."),
        blocks=[
            section(text),
            ActionsBlock(elements=[
                button("Send me the CSV", ids.EXPORT_RUN, confirmation_id, style="primary"),
                button("Cancel", ids.EXPORT_CANCEL, confirmation_id),
            ]),
            context(f"This button works until {when(expires_at)}."),
        ],
    )


def preparing_message(card: Card) -> Message:
    return notice(f"Preparing the export of {card.display_name}… the file will arrive in your DM.",
                  emoji="hourglass_flowing_sand")


def sent_message(card: Card, rows: int) -> Message:
    return notice(f"Sent {plural(rows, 'member')} of {card.display_name} to your DM as a CSV file.",
                  emoji="white_check_mark")


def dm_text(card: Card, rows: int) -> str:
    """The comment above the file in the DM."""
    return (f"Export of {inline(card.display_name, NAME)}: {plural(rows, 'member')}. The file holds contact "
            "details: keep it private and delete it when you are done.")


def cancelled_message() -> Message:
    return notice("Export cancelled. No file was made.")


def not_run_text(state: str | None, reason: str) -> str:
    """Why a click on an export's button did nothing."""
    if state is None:
        return EXPORT_OUT_OF_DATE
    if reason == "not_yours":
        return "This export belongs to the admin who asked for it; only they can send or cancel it."
    return f"This export {_STATE_WORDS.get(state, 'is no longer waiting')}."


def paging_failed_text(card: Card, read: int) -> str:
    return (f"The loyalty service stopped answering after {plural(read, 'member')} of "
            f"{card.display_name}, so no file was made (it would have been incomplete). Try again shortly.")


def nothing_to_export_text(card: Card, include_voided: bool) -> str:
    which = "no members" if include_voided else "no members with a live card"
    more = "" if include_voided else " Add `--voided` to export voided cards too."
    return f"{card.display_name} has {which}, so no file was made.{more}"
