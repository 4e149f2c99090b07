"""The App Home tab: what the app does, how to use it, and the reader's role."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.interaction import Interaction
from bot.services import Services
from bot.views.home import home_view


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        interaction = Interaction(user_id=str(event.get("user") or ""), client=client, name="home")

        def publish() -> None:
            role = services.access.role_of(interaction.user_id)
            cards = services.lookup.cards() if role else []
            client.views_publish(user_id=interaction.user_id, view=home_view(cards, role=role.label))

        services.defer(interaction, publish)
