"""The Slack listeners. Each module ends in its registration table (`LISTENERS`); `register` wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import audit, base, cards, errors, guarded, home, imports, lookups, members, pushes, stamps
from handlers.base import Router


def register(app: App, services: Services) -> None:
    """Wire every command, action, view and event listener into `app`."""
    router = Router(services)
    # First: Bolt tries listeners in registration order, and `/loyalty` is the hot path (a command tried
    # after ~27 action and view listeners cost about twice the dispatch CPU).
    app.command("/loyalty")(router.on_command)
    for module in (lookups, guarded, pushes, audit, members, stamps, cards, imports, home):
        base.register(app, services, router, module.LISTENERS)
    errors.register(app)
