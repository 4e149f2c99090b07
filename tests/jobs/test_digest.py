"""The weekly digest: one message per card with the week's figures and its chart, in the digest channel, once per
period however often the period's job runs; a bad schedule or time zone is a settings error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.jobs import digest
from localstack.slack import render_message
from localstack.stack import LocalStack

DIGEST = "C0DIGEST"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    with LocalStack(workdir=tmp_path, loyalty_digest_channel=DIGEST) as running:
        running.slack.add_channel(DIGEST, "loyalty-digest")
        yield running


def test_a_digest_posts_each_cards_week_and_chart_once_per_period(stack: LocalStack) -> None:
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    digest.digest(monday, None)
    posts = stack.slack.messages(DIGEST)
    with stack.sandbox.state.lock:
        cards_with_members = {m["card_id"] for m in stack.sandbox.state.members.values()}
    assert len([m for m in posts if "the week in figures" in render_message(m)]) == len(cards_with_members) >= 1
    shown = "\n".join(render_message(m) for m in posts)
    assert "Live members" in shown
    assert "@example.com" not in shown, "aggregates only: no member's details in a channel"
    assert len(stack.slack.files(DIGEST)) == len(cards_with_members)

    digest.digest(monday, None)  # the same period again: a retry, a second worker
    assert len(stack.slack.messages(DIGEST)) == len(posts)
    digest.digest(datetime(2026, 12, 7, 9, 0, tzinfo=UTC), None)  # the next week
    assert len(stack.slack.messages(DIGEST)) == 2 * len(posts)


@pytest.mark.parametrize(("name", "value"), [
    ("LOYALTY_DIGEST_CRON", "every monday"), ("LOYALTY_DIGEST_CRON", "0 9 * * 1 *"),
    ("LOYALTY_DIGEST_CRON", "61 9 * * 1"), ("LOYALTY_TIMEZONE", "Mars/Olympus"),
])
def test_a_bad_digest_schedule_or_time_zone_is_one_plain_settings_line(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value).startswith(f"{name}:")
    assert "\n" not in str(refused.value)


def test_the_engine_cron_has_seconds_first() -> None:
    assert digest.cron("0 9 * * 1") == "0 0 9 * * 1"
