"""Fixtures: a started bench, a tiny real Bolt app served over HTTP on 127.0.0.1, and a driver for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from localstack.slack import FakeSlack, SlackDriver
from localstack.web import HttpServer
from tests.slack.bolt_app import register

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"


@pytest.fixture
def bench() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=BOT_TOKEN) as bench:
        bench.add_user("U_ADMIN", "ada", real_name="Ada Admin", is_admin=True)
        bench.add_user("U_GUEST", "gus", is_restricted=True)
        bench.add_user("U_OTHER", "olga", team_id="T0ELSEWHERE")
        bench.add_usergroup("S_ADMINS", ["U_ADMIN"])
        yield bench


@pytest.fixture
def app_url(bench: FakeSlack) -> Iterator[str]:
    app = App(client=WebClient(base_url=bench.api_url, token=BOT_TOKEN), signing_secret=SIGNING_SECRET)
    register(app)
    server = HttpServer(SlackRequestHandler(app)).start()
    yield f"{server.url}/slack/events"
    server.stop()


@pytest.fixture
def driver(bench: FakeSlack, app_url: str) -> Iterator[SlackDriver]:
    with SlackDriver(bench, app_url=app_url, signing_secret=SIGNING_SECRET) as driver:
        yield driver
