"""The limit checks must catch what Slack would refuse, or the property tests would prove nothing."""

import pytest
from slack_sdk.errors import SlackObjectFormationError

from tests.views.checks import check_message, check_view


def _section(text):
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(action_id):
    return {"type": "button", "action_id": action_id, "value": "1", "text": {"type": "plain_text", "text": "Go"}}


@pytest.mark.parametrize("payload", [
    {"text": "hi", "blocks": [_section("hi")] * 51},
    {"text": "hi", "blocks": [_section("&lt;ok&gt; <https://x.example|a> <https://y.example>")]},
    {"text": "hi", "blocks": [_section("x" * 3001)]},
    {"text": "hi", "blocks": [_section("<!channel> hi")]},
    {"text": "<!here>", "blocks": [_section("hi")]},
    {"text": "hi", "blocks": [_section(" ")]},
    {"text": "hi", "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}]},
    {"text": "hi", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]},
    {"text": "hi", "blocks": [{"type": "actions", "elements": [_button("a"), _button("a")]}]},
])
def test_checks_refuse_what_slack_refuses(payload):
    with pytest.raises((AssertionError, SlackObjectFormationError)):
        check_message(payload)


def test_checks_refuse_a_long_modal_title():
    with pytest.raises((AssertionError, SlackObjectFormationError)):
        check_view({"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": [_section("x")]})
