"""The whole product on loopback: the sandbox API, a stand-in for Slack, and the bot exactly as it runs in production.

The end-to-end tests and `loyalty-bot demo` both start one of these, so the demo proves the production path
(signed HTTP requests into the real app), not a shortcut around it.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_services, build_wsgi
from bot.config import Settings
from bot.sandbox import SandboxServer
from bot.services import Services
from localstack.slack import FakeSlack, SlackDriver
from localstack.web import HttpServer

BOT_TOKEN = "xoxb-stack"  # noqa: S105 - only ever shown to the local stand-in for Slack
API_KEY = "local-key"
API_SECRET = "local-secret"  # noqa: S105 - the sandbox's own, generated for this stack
GENERAL = "C0GENERAL"
APPROVALS = "C0APPROVALS"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    role: str


VIEWER, OPERATOR, ADMIN, ADMIN2 = "U0VIEWER", "U0OPERATOR", "U0ADMIN", "U0ADMIN2"

PEOPLE: tuple[Person, ...] = (
    Person(VIEWER, "vera", "viewer"),
    Person(OPERATOR, "omar", "operator"),
    Person(ADMIN, "alice", "admin"),
    Person(ADMIN2, "bob", "admin"),
)
"""The demo's people: a viewer, an operator and two admins (a push needs a second admin to approve)."""


class LocalStack:
    """Starts and stops the three servers; `driver` plays Slack toward the bot, `slack` shows what users see."""

    def __init__(self, *, database_url: str | None = None, workdir: Path | None = None, seed: int = 1,
                 **settings: Any) -> None:
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="loyalty-")
            workdir = Path(self._own_dir.name)
        self.workdir = workdir
        self.database_url = database_url or f"sqlite:///{self.workdir / 'loyalty-bot.db'}"
        self.seed = seed
        self.overrides = settings
        self.signing_secret = secrets.token_hex(16)
        self.sandbox: SandboxServer
        self.slack: FakeSlack
        self.services: Services
        self.server: HttpServer
        self.driver: SlackDriver
        self.settings: Settings

    def start(self) -> LocalStack:
        self.sandbox = SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0, seed=self.seed).start()
        self.slack = FakeSlack(bot_token=BOT_TOKEN).start()
        for person in PEOPLE:
            self.slack.add_user(person.user_id, person.name)
        self.slack.add_channel(GENERAL, "general")
        self.slack.add_channel(APPROVALS, "approvals")
        values: dict[str, Any] = {
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": self.signing_secret,
            "slack_app_token": None,
            "slack_api_url": self.slack.api_url,
            "coupontools_api_key": API_KEY,
            "coupontools_api_secret": API_SECRET,
            "coupontools_base_url": self.sandbox.base_url,
            "database_url": self.database_url,
            "loyalty_viewers": (VIEWER,),
            "loyalty_operators": (OPERATOR,),
            "loyalty_admins": (ADMIN, ADMIN2),
            "loyalty_approvals_channel": APPROVALS,
            **self.overrides,
        }
        self.settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        self.services = build_services(self.settings)
        self.services.start_jobs()
        self.server = HttpServer(build_wsgi(self.settings, self.services), host="127.0.0.1", port=0).start()
        self.driver = SlackDriver(self.slack, app_url=f"{self.server.url}/slack/events",
                                  signing_secret=self.signing_secret)
        return self

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        """Stop the bot first (it finishes accepted work), then what it talks to."""
        for part, method in (("server", "stop"), ("services", "close"), ("driver", "close_connection"),
                             ("slack", "stop"), ("sandbox", "stop")):
            stop = getattr(getattr(self, part, None), method, None)
            if stop is None:
                continue
            try:
                stop()
            except Exception:  # noqa: S112 - best effort: stop everything we can
                continue
        if self._own_dir:
            self._own_dir.cleanup()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
