"""Insights: `stats` of a card, `history` of a member, and `export` of a card's members."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import held
from bot.access import Role
from bot.commands import Export, MemberRef, Stats
from bot.coupontools import Card, CoupontoolsError, Member
from bot.coupontools.paging import WHOLE_LIST_PAGE
from bot.errors import UserError
from bot.export import EXPORT_ACTION, write_members
from bot.interaction import Interaction
from bot.private_files import send_privately
from bot.services import Services
from bot.stats import CardFigures, draw_chart, figures_for
from bot.store import HeldChange, Outcome
from bot.views import ids
from bot.views.export import (
    EXPORT_OUT_OF_DATE,
    cancelled_message,
    dm_text,
    export_confirmation,
    not_run_text,
    nothing_to_export_text,
    paging_failed_text,
    preparing_message,
    sent_message,
)
from bot.views.history import OUT_OF_DATE, PAGE_SIZE, HistoryPage, history_message
from bot.views.stats import chart_comment, chart_dm_text, counting_message, no_members_message, stats_message
from handlers.base import Listener, clicked_member, pick_member
from handlers.guarded import stored_id

log = logging.getLogger(__name__)

BIG_CARD = 1000
"""Members read before a progress line says the figures are on their way."""


# -- stats ----------------------------------------------------------------------------------------------


def stats_command(services: Services, interaction: Interaction, command: Stats) -> None:
    """The figures at once (members paged from the API unless cached), then the chart as a file."""
    card = services.lookup.card(command.card)
    progress: list[int] = []

    def on_page(read: int) -> None:
        if read == BIG_CARD:
            interaction.reply(counting_message(card, read))
            progress.append(read)

    figures = figures_for(services.loyalty, services.store.audit, services.member_figures, card, command.days,
                          on_page=on_page)
    if figures.members.live + figures.members.voided == 0:
        interaction.reply(no_members_message(card), replace=bool(progress))
        return
    interaction.reply(stats_message(figures, chart_follows=True), replace=bool(progress))
    services.defer(interaction, send_chart, services, interaction, figures)


def send_chart(services: Services, interaction: Interaction, figures: CardFigures) -> None:
    """The chart as a PNG where `stats` was typed, or in a DM when that conversation refuses it."""
    upload: dict[str, Any] = {"content": draw_chart(figures), "filename": f"stats-{figures.card.id}.png",
              "title": f"{figures.card.display_name}: programme chart", "initial_comment": chart_comment(figures)}
    if interaction.channel_id:
        try:
            services.slack.files_upload_v2(channel=interaction.channel_id, **upload)
            return
        except SlackApiError as exc:
            log.info("chart not accepted in the conversation (%s): sent by DM", exc.response.get("error"))
    send_privately(services.slack, interaction.user_id, chart_dm_text(figures), **upload)


# -- history --------------------------------------------------------------------------------------------


def _show_history(services: Services, interaction: Interaction, card: Card, member: Member,
                  before_id: int | None, *, replace: bool) -> None:
    # One more than a page tells whether "Older" has anything to show.
    entries = services.store.audit.of_member(card.id, member.id, limit=PAGE_SIZE + 1, before_id=before_id)
    interaction.reply(history_message(card, member, entries, older=before_id is not None), replace=replace)


def history_command(services: Services, interaction: Interaction, command: MemberRef) -> None:
    card = services.lookup.card(command.card)
    member = pick_member(services, interaction, card, command.member, "History")
    if member is not None:
        _show_history(services, interaction, card, member, None, replace=False)


def history_button(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """The member card's History button."""
    card, member = clicked_member(services, action)
    _show_history(services, interaction, card, member, None, replace=False)


def history_more(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    page = HistoryPage.decode(action.get("value"))
    if page is None:
        raise UserError(OUT_OF_DATE)
    card, member = services.lookup.member_by_id(page.card_id, page.member_id)
    _show_history(services, interaction, card, member, page.before_id, replace=True)


# -- export ---------------------------------------------------------------------------------------------


def export_command(services: Services, interaction: Interaction, command: Export) -> None:
    """Hold the export for a click: the reply says the file holds contact details and where it goes."""
    card = services.lookup.card(command.card)
    confirmation = held.hold(services, interaction, EXPORT_ACTION,
                             {"card_id": card.id, "include_voided": command.include_voided})
    interaction.reply(export_confirmation(card, command.include_voided, confirmation.id, confirmation.expires_at))


def _move(services: Services, interaction: Interaction, action: dict[str, Any], to: held.Move) -> HeldChange:
    found = held.find(services, stored_id(action), "confirmation")
    if isinstance(found, HeldChange) and found.action != EXPORT_ACTION:
        raise UserError(EXPORT_OUT_OF_DATE)
    moved = found if isinstance(found, held.NotDone) else held.move(services, interaction, found, to)
    if isinstance(moved, held.NotDone):
        raise UserError(not_run_text(moved.held.state if moved.held else None, moved.reason))
    return moved


def _members(services: Services, card: Card, include_voided: bool) -> Iterator[Member]:
    """The card's members as the API pages them; a failure part-way says how far it got."""
    read = 0
    try:
        for member in services.loyalty.iter_members(card.id, include_voided=include_voided,
                                                    page_size=WHOLE_LIST_PAGE):
            read += 1
            yield member
    except CoupontoolsError as exc:
        raise UserError(paging_failed_text(card, read)) from exc


def run_export(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    """Send me the CSV: claim the export (once), write the file as pages arrive, DM it, record it."""
    claimed = _move(services, interaction, action, "claim")
    outcome: Outcome = "failed"
    try:
        card = services.lookup.card(str(claimed.params["card_id"]))
        interaction.reply(preparing_message(card), replace=True)
        include_voided = bool(claimed.params.get("include_voided"))
        with tempfile.TemporaryDirectory(prefix="loyalty-export-") as folder:
            path = os.path.join(folder, f"members-{card.id}-{datetime.now(UTC):%Y%m%d-%H%M}.csv")
            with open(path, "w", encoding="utf-8", newline="") as out:
                rows = write_members(_members(services, card, include_voided), out)
            if rows == 0:
                raise UserError(nothing_to_export_text(card, include_voided))
            outcome = "unknown"  # from here, the file may reach Slack even if the call fails
            services.changes.perform(
                interaction, EXPORT_ACTION, lambda: send_privately(
                    services.slack, interaction.user_id, dm_text(card, rows), file=path,
                    filename=os.path.basename(path), title=f"Members of {card.display_name}"),
                card_id=card.id, params={"rows": rows, "include_voided": include_voided})
        outcome = "ok"
    finally:
        held.finish(services, claimed.id, outcome, None if outcome == "ok" else "export not sent")
    interaction.reply(sent_message(card, rows), replace=True)


def cancel_export(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    _move(services, interaction, action, "cancel")
    interaction.reply(cancelled_message(), replace=True)


LISTENERS = [
    Listener("subcommand", "stats", Role.VIEWER, stats_command),
    Listener("subcommand", "history", Role.OPERATOR, history_command),
    Listener("action", ids.MEMBER_HISTORY, Role.OPERATOR, history_button),
    Listener("action", ids.HISTORY_MORE, Role.OPERATOR, history_more),
    Listener("subcommand", "export", Role.ADMIN, export_command),
    Listener("action", ids.EXPORT_RUN, Role.ADMIN, run_export),
    Listener("action", ids.EXPORT_CANCEL, Role.ADMIN, cancel_export),
]
