"""Wiring: settings in, a Bolt app out. No logic lives here."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener.listener_error_handler import ListenerErrorHandler
from slack_sdk import WebClient

from bot.access import Access
from bot.changes import Changes
from bot.config import Settings
from bot.coupontools.client import LoyaltyClient
from bot.lookup import Lookup
from bot.services import Services
from bot.store import Store
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
        slack = WebClient(token=settings.slack_bot_token.get_secret_value(),  # type: ignore[union-attr]
                          base_url=settings.slack_api_url, timeout=10)
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
    register(app, services)
    runner = app.listener_runner
    runner.listener_error_handler = KeepAck(runner.listener_error_handler)
    return app


def build_wsgi(settings: Settings, services: Services) -> WsgiApp:
    """The app as served over HTTP (Slack and the health check), whichever server runs it."""
    return make_wsgi_app(create_app(settings, services), services.healthy)


class KeepAck(ListenerErrorHandler):
    """Once a listener has acknowledged, a later failure must not replace that answer with an HTTP 500.

    The app answers Slack when the listener returns (`process_before_response`), and Bolt then turns any
    exception into a 500 even after `ack()`: Slack would show the user an error on top of the global error
    handler's own reply. This keeps the ack's answer and lets the global handler (`handlers/errors.py`)
    report the failure as before. A failure before the ack stays a 500.
    """

    def __init__(self, handler: ListenerErrorHandler) -> None:
        self._handler = handler

    def handle(self, error: Exception, request: BoltRequest, response: BoltResponse | None) -> None:
        acked = request.context.ack.response  # Bolt overwrites it with the 500 right after this handler
        self._handler.handle(error=error, request=request, response=response)
        if acked is not None and response is not None and acked is not response:
            response.status, response.headers, response.body = acked.status, acked.headers, acked.body
