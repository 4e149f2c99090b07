"""Looking up: `cards`, `members`, `member`, their buttons, and the "Look up member" shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.access import Role
from bot.commands import MemberRef, Members
from bot.errors import describe
from bot.interaction import Interaction
from bot.lookup import LookupProblem, SeveralMembers
from bot.services import Services
from bot.views import ids
from bot.views.cards import cards_message
from bot.views.common import error_modal, loading_modal, notice
from bot.views.lookup import lookup_choices_modal, lookup_member_modal, lookup_modal
from bot.views.member import member_message
from bot.views.members import PageState, members_page_message
from handlers.base import Router, clicked_member, defer_with_modal, on_action, pick_member


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
    member = pick_member(services, interaction, card, command.member, "Look up member")
    if member is not None:
        interaction.reply(member_message(card, member))


def page_members(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    state = PageState.decode(action.get("value"))
    if state is None:
        interaction.reply(notice("That button is out of date. Run `/loyalty members` again."))
        return
    _show_page(services, interaction, state, replace=True)


def list_card_members(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    value = str(action.get("value") or "")
    if not value.isdigit():
        interaction.reply(notice("That button is out of date. Run `/loyalty cards` again."))
        return
    _show_page(services, interaction, PageState(int(value), "", False, 1), replace=False)


def open_member(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
    card, member = clicked_member(services, action)
    interaction.reply(member_message(card, member))


def register(app: App, services: Services, router: Router) -> None:
    router.add("cards", show_cards, Role.VIEWER)
    router.add("members", show_members, Role.VIEWER)
    router.add("member", show_member, Role.VIEWER)
    on_action(app, services, ids.CARDS_MEMBERS, Role.VIEWER, list_card_members)
    on_action(app, services, ids.MEMBERS_PAGE, Role.VIEWER, page_members)
    on_action(app, services, ids.MEMBER_OPEN, Role.VIEWER, open_member)
    _register_lookup_modal(app, services)


def _register_lookup_modal(app: App, services: Services) -> None:
    """The global shortcut: a modal with a card select and a search box, answered in the same modal."""

    @app.shortcut(ids.LOOKUP_SHORTCUT)
    def open_lookup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        interaction = Interaction.from_body(body, client, None, name="lookup")

        def fill() -> None:
            services.access.require(interaction.user_id, Role.VIEWER)
            client.views_update(view_id=interaction.view_id, view=lookup_modal(services.lookup.cards()))

        defer_with_modal(services, interaction, "Look up member", fill)

    @app.view(ids.LOOKUP_VIEW)
    def submit_lookup(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view.get("state", {}).get("values", {})
        card_id = ((values.get(ids.LOOKUP_CARD_BLOCK, {}).get(ids.LOOKUP_CARD_ACTION) or {})
                   .get("selected_option") or {}).get("value")
        query = ((values.get(ids.LOOKUP_QUERY_BLOCK, {}).get(ids.LOOKUP_QUERY_ACTION) or {}).get("value") or "").strip()
        errors = {}
        if not card_id:
            errors[ids.LOOKUP_CARD_BLOCK] = "Pick a card."
        if not query:
            errors[ids.LOOKUP_QUERY_BLOCK] = "Type an email, phone, code or member id."
        elif len(query) > 200:
            errors[ids.LOOKUP_QUERY_BLOCK] = "That is too long to be an email, phone, code or id."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=loading_modal("Look up member"))
        interaction = Interaction.from_body(body, client, None, name="lookup.submit")

        def answer() -> None:
            services.access.require(interaction.user_id, Role.VIEWER)
            card = services.lookup.card(str(card_id))
            try:
                result = lookup_member_modal(card, services.lookup.member(card, query))
            except SeveralMembers as many:
                result = lookup_choices_modal(card, many.members, query)
            except LookupProblem as problem:
                result = error_modal("Look up member", describe(problem))
            client.views_update(view_id=interaction.view_id, view=result)

        services.defer(interaction, answer)

    def open_choice(services: Services, interaction: Interaction, action: dict[str, Any]) -> None:
        card, member = clicked_member(services, action)
        services.slack.views_update(view_id=interaction.view_id, view=lookup_member_modal(card, member))

    on_action(app, services, ids.LOOKUP_OPEN, Role.VIEWER, open_choice)
