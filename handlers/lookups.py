"""Looking up: `cards`, `members`, `member`, their buttons, and the "Look up member" shortcut."""

from __future__ import annotations

from typing import Any

from bot.access import Role
from bot.commands import MemberRef, Members
from bot.interaction import Interaction
from bot.lookup import LookupProblem, SeveralMembers
from bot.services import Services
from bot.views import ids
from bot.views.cards import cards_message
from bot.views.common import error_modal, loading_modal, notice
from bot.views.forms import FormValues
from bot.views.lookup import TITLE, lookup_choices_modal, lookup_member_modal, lookup_modal, lookup_problems
from bot.views.member import member_message
from bot.views.members import CARDS_OUT_OF_DATE, PAGE_OUT_OF_DATE, PageState, members_page_message
from handlers.base import Accepted, Answer, Listener, clicked_member, pick_member


def show_cards(services: Services, interaction: Interaction, _command: object) -> None:
    interaction.reply(cards_message(services.lookup.cards(fresh=True)))


def show_members(services: Services, interaction: Interaction, command: Members) -> None:
    card = services.lookup.card(command.card)
    _show_page(services, interaction, PageState(card.id, command.words, command.include_voided, 1), replace=False)


def _show_page(services: Services, interaction: Interaction, state: PageState, *, replace: bool) -> None:
    card = services.lookup.card(str(state.card_id))
    members, has_next = services.lookup.search(card, state.query, include_voided=state.include_voided,
                                               page=state.page)
    interaction.reply(members_page_message(card, members, state, has_next=has_next), replace=replace)


def show_member(services: Services, interaction: Interaction, command: MemberRef) -> None:
    card = services.lookup.card(command.card)
    member = pick_member(services, interaction, card, command.member, TITLE)
    if member is not None:
        interaction.reply(member_message(card, member))


def page_members(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    state = PageState.decode(action.get("value"))
    if state is None:
        interaction.reply(notice(PAGE_OUT_OF_DATE))
        return
    _show_page(services, interaction, state, replace=True)


def list_card_members(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    value = str(action.get("value") or "")
    if not value.isdigit():
        interaction.reply(notice(CARDS_OUT_OF_DATE))
        return
    _show_page(services, interaction, PageState(int(value), "", False, 1), replace=False)


def open_member(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    card, member = clicked_member(services, action)
    interaction.reply(member_message(card, member))


def open_lookup(services: Services, interaction: Interaction, _shortcut: dict[str, Any]) -> None:
    """The global shortcut: the "Loading…" modal becomes a card select and a search box."""
    services.slack.views_update(view_id=interaction.view_id, view=lookup_modal(services.lookup.cards()))


def read_lookup(form: FormValues) -> Answer:
    card_id = form.selected(ids.LOOKUP_CARD_BLOCK, ids.LOOKUP_CARD_ACTION)
    query = form.text(ids.LOOKUP_QUERY_BLOCK, ids.LOOKUP_QUERY_ACTION).strip()
    return lookup_problems(card_id, query) or Accepted(loading_modal(TITLE), (card_id, query))


def answer_lookup(services: Services, interaction: Interaction, submitted: tuple[str, str]) -> None:
    """The lookup form's answer, in the same modal: the member, a pick-list, or what to type instead."""
    card_id, query = submitted
    card = services.lookup.card(card_id)
    try:
        result = lookup_member_modal(card, services.lookup.member(card, query))
    except SeveralMembers as many:
        result = lookup_choices_modal(card, many.members, query)
    except LookupProblem as problem:
        result = error_modal(TITLE, problem.message)
    services.slack.views_update(view_id=interaction.view_id, view=result)


def open_choice(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    card, member = clicked_member(services, action)
    services.slack.views_update(view_id=interaction.view_id, view=lookup_member_modal(card, member))


LISTENERS = [
    Listener("subcommand", "cards", Role.VIEWER, show_cards),
    Listener("subcommand", "members", Role.VIEWER, show_members),
    Listener("subcommand", "member", Role.VIEWER, show_member),
    Listener("action", ids.CARDS_MEMBERS, Role.VIEWER, list_card_members),
    Listener("action", ids.MEMBERS_PAGE, Role.VIEWER, page_members),
    Listener("action", ids.MEMBER_OPEN, Role.VIEWER, open_member),
    Listener("shortcut", ids.LOOKUP_SHORTCUT, Role.VIEWER, open_lookup, modal_title=TITLE),
    Listener("submission", ids.LOOKUP_VIEW, Role.VIEWER, answer_lookup, read=read_lookup),
    Listener("action", ids.LOOKUP_OPEN, Role.VIEWER, open_choice),
]
