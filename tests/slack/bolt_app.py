"""A tiny Bolt app that uses every part of the bench the real bot uses; the tests drive it."""

from __future__ import annotations

from typing import Any

import httpx
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

MEMBER_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Ada Lovelace"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Stamps:* 3 of 10"}},
    {"type": "actions", "block_id": "member", "elements": [
        {"type": "button", "action_id": "stamp", "value": "m-1", "style": "primary",
         "text": {"type": "plain_text", "text": "Add stamp"}},
        {"type": "button", "action_id": "void", "value": "m-1", "style": "danger",
         "text": {"type": "plain_text", "text": "Void"}},
    ]},
]

ADD_MEMBER_VIEW: dict[str, Any] = {
    "type": "modal", "callback_id": "add_member", "private_metadata": "card-7",
    "title": {"type": "plain_text", "text": "Add a member"},
    "submit": {"type": "plain_text", "text": "Add"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [
        {"type": "input", "block_id": "email", "label": {"type": "plain_text", "text": "Email"},
         "element": {"type": "email_text_input", "action_id": "value"}},
        {"type": "input", "block_id": "tier", "label": {"type": "plain_text", "text": "Tier"},
         "element": {"type": "static_select", "action_id": "value", "options": [
             {"text": {"type": "plain_text", "text": "Gold"}, "value": "gold"},
             {"text": {"type": "plain_text", "text": "Silver"}, "value": "silver"}]}},
        {"type": "input", "block_id": "csv", "optional": True, "label": {"type": "plain_text", "text": "CSV"},
         "element": {"type": "file_input", "action_id": "value"}},
    ],
}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _command(text: str, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    channel, user = body["channel_id"], body["user_id"]
    if text == "member":
        respond(text="Ada Lovelace", blocks=MEMBER_BLOCKS)
    elif text == "private":
        client.chat_postEphemeral(channel=channel, user=user, text="Just for you", blocks=[_section("psst")])
    elif text == "approval":
        client.chat_postMessage(channel=channel, text="Approve the push?", blocks=[
            _section("Push to 40 members"),
            {"type": "actions", "elements": [{"type": "button", "action_id": "approve", "value": "p-1",
                                              "text": {"type": "plain_text", "text": "Approve"}}]}])
    elif text == "add":
        client.views_open(trigger_id=body["trigger_id"], view=ADD_MEMBER_VIEW)
    elif text == "too-many-blocks":
        _report(respond, client, channel, [_section(f"row {n}") for n in range(51)])
    elif text == "too-long":
        _report(respond, client, channel, [_section("x" * 3001)])
    elif text == "upload":
        _upload(client, channel, respond)
    elif text == "who":
        groups = client.usergroups_users_list(usergroup="S_ADMINS")["users"]
        info = client.users_info(user=user)["user"]
        respond(text=f"admins={','.join(groups)} restricted={info['is_restricted']} team={info['team_id']}")


def _report(respond: Respond, client: WebClient, channel: str, blocks: list[dict[str, Any]]) -> None:
    try:
        client.chat_postMessage(channel=channel, text="report", blocks=blocks)
    except SlackApiError as exc:
        respond(text=f"Slack said {exc.response['error']}")


def _upload(client: WebClient, channel: str, respond: Respond) -> None:
    result = client.files_upload_v2(channel=channel, content="id,email\n1,ada@example.com\n",
                                    filename="report.csv", title="Import report", initial_comment="Done")
    info = client.files_info(file=result["file"]["id"])["file"]
    url = info["url_private_download"]
    with_token = httpx.get(url, headers={"Authorization": f"Bearer {client.token}"})
    without = httpx.get(url)
    respond(text=f"downloaded {len(with_token.content)} bytes; without token {without.status_code}")


def register(app: App) -> None:
    """Wire the listeners the bench tests use."""

    @app.command("/loyalty")
    def loyalty(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        text = body.get("text", "").strip()
        if text == "quick":
            ack(text="Right away")
            return
        ack()
        _command(text, body, client, respond)

    @app.action("stamp")
    def stamp(ack: Ack, respond: Respond) -> None:
        ack()
        respond(replace_original=True, text="Stamped: 4 of 10", blocks=[_section("*Stamps:* 4 of 10")])

    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"],
                           text=f"Approved by <@{body['user']['id']}>", blocks=[])

    @app.view("add_member")
    def add_member(ack: Ack, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        email = values["email"]["value"]["value"]
        if not email.endswith("@example.com"):
            ack(response_action="errors", errors={"email": "Use an @example.com address"})
            return
        tier = values["tier"]["value"]["selected_option"]["value"]
        files = values["csv"]["value"]["files"]
        ack(response_action="update", view={
            "type": "modal", "callback_id": "added", "title": {"type": "plain_text", "text": "Member added"},
            "blocks": [_section(f"Added {email} ({tier}), {len(files)} file(s), card {view['private_metadata']}")]})

    @app.view("slow_lookup")
    def slow_lookup(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack(response_action="update", view={"type": "modal", "title": {"type": "plain_text", "text": "Looking up"},
                                            "blocks": [_section("Loading…")]})
        client.views_update(view_id=view["id"], view={
            "type": "modal", "title": {"type": "plain_text", "text": "Found"}, "blocks": [_section("Ada")]})

    @app.shortcut("open_tools")
    def tools(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view={
            "type": "modal", "callback_id": "tools", "notify_on_close": True,
            "title": {"type": "plain_text", "text": "Tools"}, "blocks": [_section("Pick a tool")]})

    @app.view_closed("tools")
    def tools_closed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text="Tools closed")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [_section("Welcome home")]})
