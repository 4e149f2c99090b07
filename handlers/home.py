"""The App Home tab: what the app does, how to use it, the reader's role, each card's headline figures, and
(for admins) the pushes waiting for approval."""

from __future__ import annotations

from typing import Any

from bot import pushes
from bot.access import Role
from bot.interaction import Interaction
from bot.services import Services
from bot.stats import MemberFigures, PagingFailed, cached_members
from bot.store import HeldChange
from bot.views.home import home_view
from handlers.base import Listener

CARDS_COUNTED = 10
"""Cards whose members a Home visit pages when their figures are not cached; the rest show how to ask."""


def publish_home(services: Services, interaction: Interaction, event: dict[str, Any]) -> None:
    """Publish at once with the figures already cached, then again once the missing ones are counted."""
    if event.get("tab") not in (None, "home"):
        return
    role = services.access.role_of(interaction.user_id)
    cards = services.lookup.cards() if role else []
    approvals: list[tuple[HeldChange, str]] = []
    if role is Role.ADMIN:
        waiting = services.store.held.waiting("approval")
        approvals = [(held, services.lookup.card_name(held.card_id)) for held in waiting]
    figures: dict[int, MemberFigures] = {}
    for card in cards:
        cached = services.member_figures.get(card.id)
        if cached is not None:
            figures[card.id] = cached

    defaults = services.store.defaults.all() if role else []
    scheduled = pushes.waiting(services) if role is Role.ADMIN else []

    def publish() -> None:
        interaction.client.views_publish(user_id=interaction.user_id, view=home_view(
            cards, role=role.label, figures=figures, approvals=approvals, defaults=defaults, scheduled=scheduled))

    publish()
    missing = [card for card in cards[:CARDS_COUNTED] if card.id not in figures]
    for card in missing:
        try:
            figures[card.id] = cached_members(services.loyalty, services.member_figures, card)
        except PagingFailed:
            continue  # the card keeps its "how to ask" line: Home is no place for an error
    if missing:
        publish()


LISTENERS = [
    Listener("event", "app_home_opened", None, publish_home),
]
