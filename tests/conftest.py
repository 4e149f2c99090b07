"""Fixtures shared by the end-to-end tests: the whole product on loopback, driven the way Slack drives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localstack.stack import LocalStack


@pytest.fixture
def stack(tmp_path) -> Iterator[LocalStack]:
    """The sandbox API, the Slack stand-in and the bot (SQLite in tmp_path), started fresh for one test."""
    with LocalStack(workdir=tmp_path) as running:
        yield running
    assert not running.slack.violations, f"Slack would have refused: {running.slack.violations}"
