"""The driver's requests are shaped and signed the way Slack's are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from localstack.slack import FakeSlack, SlackDriver, View
from localstack.web import HttpServer
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET


class RecordingApp:
    """A WSGI app that checks Slack's signature, keeps every payload and answers a scripted ack."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.answer: dict[str, Any] | None = None
        self.verifier = SignatureVerifier(SIGNING_SECRET)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        headers = {"x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", ""),
                   "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")}
        if not self.verifier.is_valid_request(body, headers):
            start_response("401 Unauthorized", [])
            return [b""]
        form = parse_qs(body)
        self.received.append(json.loads(form["payload"][0]) if "payload" in form
                             else {k: v[0] for k, v in form.items()} if form else json.loads(body))
        answer = json.dumps(self.answer).encode() if self.answer else b""
        start_response("200 OK", [("Content-Type", "application/json")])
        return [answer]


@pytest.fixture
def recorder(bench: FakeSlack) -> Iterator[tuple[RecordingApp, SlackDriver]]:
    app = RecordingApp()
    server = HttpServer(app).start()
    with SlackDriver(bench, f"{server.url}/slack/events", SIGNING_SECRET) as driver:
        yield app, driver
    server.stop()


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


FORM: dict[str, Any] = {
    "type": "modal", "callback_id": "form", "title": {"type": "plain_text", "text": "Form"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {"type": "section", "block_id": "pick", "text": {"type": "mrkdwn", "text": "Card"},
         "accessory": {"type": "static_select", "action_id": "card", "options": [option("Coffee", "c1"),
                                                                                  option("Tea", "c2")]}},
        {"type": "input", "block_id": "name", "label": {"type": "plain_text", "text": "Name"},
         "element": {"type": "plain_text_input", "action_id": "v", "initial_value": "Ada"}},
        {"type": "input", "block_id": "amount", "label": {"type": "plain_text", "text": "Stamps"},
         "element": {"type": "number_input", "action_id": "v", "is_decimal_allowed": False}},
        {"type": "input", "block_id": "rewards", "optional": True, "label": {"type": "plain_text", "text": "Use"},
         "element": {"type": "checkboxes", "action_id": "v", "options": [option("Free coffee", "r1"),
                                                                          option("Cake", "r2")]}},
        {"type": "input", "block_id": "who", "optional": True, "label": {"type": "plain_text", "text": "Who"},
         "element": {"type": "users_select", "action_id": "v"}},
    ],
}


def open_form(bench: FakeSlack, user: str) -> View:
    client = WebClient(base_url=bench.api_url, token=BOT_TOKEN)
    client.views_open(trigger_id=bench.issue_trigger(user), view=FORM)
    view = bench.modal(user)
    assert view is not None
    return view


def test_a_slash_command_is_form_encoded_with_fresh_response_url_and_trigger(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    driver.command("cards", user="U_ADMIN", channel="C0GENERAL")

    [sent] = app.received
    assert {k: sent[k] for k in ("command", "text", "user_id", "user_name", "channel_id", "channel_name",
                                 "team_id")} == {
        "command": "/loyalty", "text": "cards", "user_id": "U_ADMIN", "user_name": "ada",
        "channel_id": "C0GENERAL", "channel_name": "general", "team_id": "T0LOYALTY"}
    assert sent["response_url"].startswith(bench.url + "response/")
    assert sent["trigger_id"] in bench.workspace.triggers


def test_a_click_in_a_channel_message_carries_the_message_and_a_response_url(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    client = WebClient(base_url=bench.api_url, token=BOT_TOKEN)
    client.chat_postMessage(channel="C0GENERAL", text="pick", blocks=FORM["blocks"][:1])
    [message] = bench.messages("C0GENERAL")

    driver.click(message, text="Tea", user="U_ADMIN")

    [payload] = app.received
    assert payload["type"] == "block_actions"
    assert payload["container"] == {"type": "message", "message_ts": message.ts, "channel_id": "C0GENERAL",
                                     "is_ephemeral": False}
    assert payload["message"]["ts"] == message.ts
    assert payload["response_url"].startswith(bench.url)
    [action] = payload["actions"]
    assert (action["type"], action["action_id"], action["block_id"]) == ("static_select", "card", "pick")
    assert action["selected_option"] == option("Tea", "c2")


def test_a_click_in_a_modal_carries_the_view_with_its_state(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    view = open_form(bench, "U_ADMIN")

    driver.click(view, "card", selected="c1", user="U_ADMIN")

    [payload] = app.received
    assert payload["container"] == {"type": "view", "view_id": view.id}
    assert "response_url" not in payload
    assert payload["view"]["state"]["values"]["pick"]["card"]["selected_option"]["value"] == "c1"


def test_a_submission_sends_every_input_typed_like_slack(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    view = open_form(bench, "U_ADMIN")

    ack = driver.submit(view, {"Stamps": 3, "rewards": ["Cake", "r1"], "who": "U_GUEST"}, user="U_ADMIN")

    values = app.received[0]["view"]["state"]["values"]
    assert values["name"] == {"v": {"type": "plain_text_input", "value": "Ada"}}
    assert values["amount"] == {"v": {"type": "number_input", "value": "3"}}
    assert values["rewards"]["v"]["selected_options"] == [option("Cake", "r2"), option("Free coffee", "r1")]
    assert values["who"] == {"v": {"type": "users_select", "selected_user": "U_GUEST"}}
    assert ack.ok
    assert bench.modal("U_ADMIN") is None  # an empty ack closes the modal


def test_submitting_without_a_required_value_is_refused_like_slacks_client(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    view = open_form(bench, "U_ADMIN")

    with pytest.raises(ValueError, match="'Stamps' is required"):
        driver.submit(view, {"Name": "Ada"}, user="U_ADMIN")
    with pytest.raises(ValueError, match="no input is named"):
        driver.submit(view, {"Nickname": "Ada"}, user="U_ADMIN")
    assert app.received == []


def test_response_action_push_and_clear_change_the_modal_stack(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    view = open_form(bench, "U_ADMIN")
    app.answer = {"response_action": "push", "view": {**FORM, "callback_id": "second"}}

    driver.submit(view, {"Stamps": 1}, user="U_ADMIN")
    assert [v.callback_id for v in bench.modal_stack("U_ADMIN")] == ["form", "second"]

    app.answer = {"response_action": "clear"}
    driver.submit(bench.modal("U_ADMIN"), {"Stamps": 1}, user="U_ADMIN")
    assert bench.modal_stack("U_ADMIN") == []


def test_an_invalid_view_in_an_ack_is_a_violation_and_changes_nothing(
    bench: FakeSlack, recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    view = open_form(bench, "U_ADMIN")
    app.answer = {"response_action": "update", "view": {**FORM, "title": {"type": "plain_text", "text": "T" * 30}}}

    driver.submit(view, {"Stamps": 1}, user="U_ADMIN")

    assert bench.violations[0].method == "view_submission response_action=update"
    assert bench.modal("U_ADMIN") is view
    assert view.title == "Form"


def test_a_shortcut_and_an_event_are_signed_and_shaped_like_slacks(
    recorder: tuple[RecordingApp, SlackDriver]
) -> None:
    app, driver = recorder
    driver.shortcut("open_tools", user="U_ADMIN")
    driver.app_home_opened(user="U_ADMIN")

    shortcut, event = app.received
    assert (shortcut["type"], shortcut["callback_id"], shortcut["user"]["id"]) == ("shortcut", "open_tools", "U_ADMIN")
    assert shortcut["trigger_id"]
    assert event["type"] == "event_callback"
    assert (event["event"]["type"], event["event"]["user"], event["event"]["tab"]) == (
        "app_home_opened", "U_ADMIN", "home")


def test_clicking_something_that_is_not_there_lists_what_is(bench: FakeSlack, driver: SlackDriver) -> None:
    view = open_form(bench, "U_ADMIN")
    with pytest.raises(LookupError, match="'Coffee' \\(card\\)"):
        driver.click(view, text="Delete everything", user="U_ADMIN")
