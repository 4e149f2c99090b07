"""`loyalty-bot serve --socket-mode` against a local Socket Mode server: a command, a click, a modal, a reconnect."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID, SandboxServer
from bot.views import ids
from localstack.slack import FakeSlack, SocketModeDriver, View, render_message, render_view
from localstack.stack import ADMIN, API_KEY, API_SECRET, BOT_TOKEN, OPERATOR, PEOPLE, VIEWER
from tests.app.test_serving import _env, _stop

CARD = DEMO_STAMP_CARD_ID
APP_TOKEN = "xapp-1-socket-mode-test"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[FakeSlack, SandboxServer, SocketModeDriver]]:
    """The sandbox, Slack with Socket Mode, and the bot serving in Socket Mode in its own process."""
    with SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0) as sandbox, \
            FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack:
        for person in PEOPLE:
            slack.add_user(person.user_id, person.name)
        env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=slack.api_url,
                   COUPONTOOLS_API_KEY=API_KEY, COUPONTOOLS_API_SECRET=API_SECRET,
                   COUPONTOOLS_BASE_URL=sandbox.base_url, DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
                   LOYALTY_VIEWERS=VIEWER, LOYALTY_OPERATORS=OPERATOR, LOYALTY_ADMINS=ADMIN)
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--socket-mode"],
                                   env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            slack.socket_mode.wait_connected(timeout=60)
            with SocketModeDriver(slack) as driver:
                yield slack, sandbox, driver
            output = _stop(process)
            assert process.returncode == 0, output
            assert APP_TOKEN not in output
            assert BOT_TOKEN not in output
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)


def test_a_slash_command_over_socket_mode_is_acknowledged_and_answered(running) -> None:
    _, _, driver = running
    assert driver.command(f"member {CARD} ada@example.com", user=VIEWER).ok
    assert "Ada Lovelace" in render_message(driver.wait_reply(VIEWER, timeout=15))


def test_a_button_click_over_socket_mode_runs_the_confirmed_action_once(running) -> None:
    slack, sandbox, driver = running
    assert driver.command(f"void {CARD} {DEMO_GRACE_ID}", user=ADMIN).ok
    reply = driver.wait_reply(ADMIN, timeout=15)
    assert driver.click(reply, action_id=ids.CONFIRM_RUN, user=ADMIN).ok
    slack.wait_for(lambda: "Done" in render_message(reply) or None, what="the void done", timeout=15)
    assert len(sandbox.find_requests("PUT", "/void")) == 1


def test_a_modal_submission_over_socket_mode_creates_the_member(running) -> None:
    slack, sandbox, driver = running
    assert driver.command(f"add {CARD}", user=OPERATOR).ok
    form: View = slack.wait_for(
        lambda: ((m := slack.modal(OPERATOR)) and m.callback_id == ids.MEMBER_FORM_VIEW and m) or None,
        what="the member form", timeout=15)
    ack = driver.submit(form, {ids.member_form_block("first_name"): "Marie",
                               ids.member_form_block("last_name"): "Curie"}, user=OPERATOR)
    assert ack.ok
    assert ack.errors == {}
    slack.wait_for(lambda: ((m := slack.modal(OPERATOR)) and "Created" in render_view(m)) or None,
                   what="the member created", timeout=15)
    assert len(sandbox.find_requests("POST", f"/loyalty-cards/{CARD}/stats")) == 1


def test_the_bot_reconnects_after_the_socket_is_dropped_and_serves_on(running) -> None:
    slack, _, driver = running
    slack.socket_mode.drop()
    slack.socket_mode.wait_connected(2, timeout=60)  # slack-sdk notices at its next ping, then reconnects
    assert len(slack.calls("apps.connections.open")) >= 2
    assert driver.command(f"member {CARD} ada@example.com", user=VIEWER).ok
    assert "Ada Lovelace" in render_message(driver.wait_reply(VIEWER, timeout=15))
