"""Fixtures shared by the end-to-end tests: the whole product on loopback, driven the way Slack drives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox import SandboxServer
from localstack.slack import FakeSlack
from localstack.stack import API_KEY, API_SECRET, BOT_TOKEN, LocalStack
from tests.app.helpers import VIEWER


@pytest.fixture
def stack(tmp_path) -> Iterator[LocalStack]:
    """The sandbox API, the Slack stand-in and the bot (SQLite in tmp_path), started fresh for one test."""
    with LocalStack(workdir=tmp_path) as running:
        yield running
    assert not running.slack.violations, f"Slack would have refused: {running.slack.violations}"


@pytest.fixture
def stand_ins() -> Iterator[tuple[SandboxServer, FakeSlack]]:
    """The loyalty API and Slack, for a bot process started by the test."""
    with SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0) as sandbox, \
            FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.add_user(VIEWER, "vera")
        yield sandbox, slack
