"""One Slack interaction (a command, a click, a submission): who acted, where, and how to answer them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.logs import new_request_id
from bot.views.common import Message

log = logging.getLogger(__name__)


@dataclass
class Interaction:
    """Everything a service needs to answer the person who acted, without knowing which listener heard them."""

    user_id: str
    client: WebClient
    team_id: str | None = None
    channel_id: str | None = None
    respond: Respond | None = None
    trigger_id: str | None = None
    view_id: str | None = None
    message_ts: str | None = None
    request_id: str = field(default_factory=new_request_id)
    name: str = ""
    outcome: str = "ok"
    """How the change this interaction asked for ended, when a handler answered a failure itself."""

    @classmethod
    def from_body(cls, body: dict[str, Any], client: WebClient, respond: Respond | None, name: str = "") -> Interaction:
        """Read who and where from any Slack payload: slash command, block action or view submission."""
        user = body.get("user") or {}
        user_id = body.get("user_id") or (user.get("id") if isinstance(user, dict) else None) or ""
        team = body.get("team") or {}
        team_id = body.get("team_id") or (user.get("team_id") if isinstance(user, dict) else None) or (
            team.get("id") if isinstance(team, dict) else None)
        channel = body.get("channel") or {}
        container = body.get("container") or {}
        channel_id = body.get("channel_id") or (channel.get("id") if isinstance(channel, dict) else None) or (
            container.get("channel_id"))
        view = body.get("view") or {}
        has_response_url = bool(body.get("response_url") or body.get("response_urls"))
        return cls(
            user_id=user_id,
            client=client,
            team_id=team_id,
            channel_id=channel_id,
            respond=respond if has_response_url else None,
            trigger_id=body.get("trigger_id"),
            view_id=view.get("id") if isinstance(view, dict) else None,
            message_ts=container.get("message_ts"),
            name=name,
        )

    def reply(self, message: Message, *, replace: bool = False) -> None:
        """Answer privately: through the response URL when there is one, else as an ephemeral or a DM."""
        payload = message.to_dict()
        if self.respond is not None:
            self.respond(
                text=payload["text"], blocks=payload.get("blocks"), response_type="ephemeral",
                replace_original=replace,
            )
            return
        if self.channel_id and not self.channel_id.startswith("D"):
            self.client.chat_postEphemeral(channel=self.channel_id, user=self.user_id, **payload)
            return
        self.client.chat_postMessage(channel=self.user_id, **payload)
