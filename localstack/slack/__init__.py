"""A local stand-in for Slack: a fake Web API (`FakeSlack`), a signed-request `SlackDriver` that plays
Slack toward the app, Block Kit validation, and a plain-text rendering of Block Kit.

Used by the end-to-end tests and by `loyalty-bot demo`. Typical use:

    bench = FakeSlack(bot_token="xoxb-test").start()          # bench.api_url -> WebClient(base_url=…)
    driver = SlackDriver(bench, app_url="http://127.0.0.1:PORT/slack/events", signing_secret="…")
    driver.command("member 1 ada@example.com", user="U_ADMIN")
    reply = bench.wait_for_ephemeral("U_ADMIN")
    driver.click(reply, text="Add stamp", user="U_ADMIN")
"""

from localstack.slack.driver import Ack, SlackDriver, SocketModeDriver
from localstack.slack.elements import Control, controls
from localstack.slack.render import render_blocks, render_message, render_view
from localstack.slack.server import DEFAULT_CHANNEL, DEFAULT_TEAM_ID, Call, FakeSlack, Violation
from localstack.slack.state import BenchTimeout, Channel, Ephemeral, File, Message, User, View
from localstack.slack.validation import validate_blocks, validate_view

__all__ = [
    "DEFAULT_CHANNEL",
    "DEFAULT_TEAM_ID",
    "Ack",
    "BenchTimeout",
    "Call",
    "Channel",
    "Control",
    "Ephemeral",
    "FakeSlack",
    "File",
    "Message",
    "SlackDriver",
    "SocketModeDriver",
    "User",
    "View",
    "Violation",
    "controls",
    "render_blocks",
    "render_message",
    "render_view",
    "validate_blocks",
    "validate_view",
]
