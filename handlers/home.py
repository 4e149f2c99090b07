"""The App Home tab: what the app does, how to use it, and the reader's role."""

from __future__ import annotations

from typing import Any

from bot.interaction import Interaction
from bot.services import Services
from bot.views.home import home_view
from handlers.base import Listener


def publish_home(services: Services, interaction: Interaction, event: dict[str, Any]) -> None:
    if event.get("tab") not in (None, "home"):
        return
    role = services.access.role_of(interaction.user_id)
    cards = services.lookup.cards() if role else []
    interaction.client.views_publish(user_id=interaction.user_id, view=home_view(cards, role=role.label))


LISTENERS = [
    Listener("event", "app_home_opened", None, publish_home),
]
