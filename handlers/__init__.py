"""The Slack listeners. `register` is the one list of everything the app listens to."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import audit, cards, errors, guarded, home, imports, lookups, members, pushes, stamps
from handlers.base import Router


def register(app: App, services: Services) -> None:
    """Wire every command, action, view and event listener into `app`."""
    router = Router(services)
    # First: Bolt tries listeners in registration order, and `/loyalty` is the hot path (a command tried
    # after ~27 action and view listeners cost about twice the dispatch CPU).
    app.command("/loyalty")(router.on_command)
    lookups.register(app, services, router)
    guarded.register(app, services, router)
    pushes.register(app, services, router)
    audit.register(app, services, router)
    members.register(app, services, router)
    stamps.register(app, services, router)
    cards.register(router)
    imports.register(app, services, router)
    home.register(app, services)
    errors.register(app)
