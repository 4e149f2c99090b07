"""Wiring: settings in, a Bolt app out. No logic lives here."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.access import Access
from bot.changes import Changes
from bot.config import Settings
from bot.coupontools.client import LoyaltyClient
from bot.lookup import Lookup
from bot.sandbox_replies import SandboxWebClient, mark_replies
from bot.services import Services
from bot.slack_client import slack_client
from bot.store import Store
from bot.transport import Gate, Workspace
from bot.web import WsgiApp, make_wsgi_app
from bot.work import Worker


def build_services(
    settings: Settings,
    *,
    loyalty: LoyaltyClient | None = None,
    store: Store | None = None,
    slack: WebClient | None = None,
) -> Services:
    """Create the long-lived clients of one process from the settings (tests may pass their own)."""
    settings.require("slack_bot_token")
    if slack is None:
        slack = slack_client(settings.slack_bot_token.get_secret_value(),  # type: ignore[union-attr]
                             settings.slack_api_url)
        if settings.loyalty_sandbox:
            slack = SandboxWebClient.like(slack)
    if loyalty is None:
        settings.require("coupontools_api_key", "coupontools_api_secret")
        loyalty = LoyaltyClient(
            settings.coupontools_base_url,
            settings.coupontools_api_key.get_secret_value(),  # type: ignore[union-attr]
            settings.coupontools_api_secret.get_secret_value(),  # type: ignore[union-attr]
        )
    if store is None:
        store = Store.connect(settings.database_url)
    return Services(
        settings=settings,
        slack=slack,
        loyalty=loyalty,
        lookup=Lookup(loyalty),
        access=Access(settings, slack),
        store=store,
        changes=Changes(store),
        worker=Worker(settings.loyalty_workers),
    )


def create_app(settings: Settings, services: Services) -> App:
    """The Bolt app with every listener registered; signature checks on for every HTTP request."""
    from handlers import register

    if not settings.socket_mode:
        settings.require("slack_signing_secret")
    app = App(
        client=services.slack,
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "",
        # Listeners only parse, ack and hand off (`services.defer`), so they run on the request's own thread
        # and the answer leaves when they return: no hand-off to a listener pool and no 10 ms ack polling.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt.App"),
    )
    if settings.loyalty_sandbox:
        app.use(mark_replies)
    register(app, services)
    return app


def build_wsgi(settings: Settings, services: Services) -> WsgiApp:
    """The app as served over HTTP (Slack and the health check), whichever server runs it."""
    return make_wsgi_app(create_app(settings, services), services.healthy, build_gate(settings, services))


def build_gate(settings: Settings, services: Services) -> Gate:
    """The check before Bolt: signed, fresh, from the bot token's own workspace (auth.test), and not seen before."""
    settings.require("slack_signing_secret")
    identity = services.slack.auth_test()
    workspace = Workspace(team_id=str(identity["team_id"]), enterprise_id=identity.get("enterprise_id") or None)
    return Gate(settings.slack_signing_secret.get_secret_value(),  # type: ignore[union-attr]
                seen=services.store.seen, workspace=workspace)
