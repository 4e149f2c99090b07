"""The Web API methods the bench speaks, as plain functions over the workspace model (no HTTP here)."""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from typing import Any

from localstack.slack.elements import block_elements
from localstack.slack.files import FilesApi
from localstack.slack.protocol import ApiError, BenchConfig, Params, ViolationHook, json_param, required, truthy
from localstack.slack.state import Ephemeral, File, Message, ResponseTarget, View, Workspace
from localstack.slack.validation import MESSAGE_MAX_BLOCKS, validate_blocks, validate_view

MODAL_STACK_MAX = 3
RESPONSE_URL_USES = 5  # Slack honours a response URL five times within 30 minutes


def stamp_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `blocks` with the block_id and action_id Slack generates where the app gave none."""
    stamped = copy.deepcopy(blocks)
    for block in stamped:
        block.setdefault("block_id", secrets.token_urlsafe(4))
        for element in block_elements(block):
            if block.get("type") != "context" and element.get("type") not in ("image", "mrkdwn", "plain_text"):
                element.setdefault("action_id", secrets.token_urlsafe(4))
    return stamped


class WebApi:
    """Answers Web API calls from the app, reading and changing the workspace."""

    def __init__(self, ws: Workspace, config: BenchConfig, on_violation: ViolationHook) -> None:
        self.ws = ws
        self.config = config
        self.on_violation = on_violation
        self.methods: dict[str, Callable[[Params], dict[str, Any]]] = {
            "auth.test": self.auth_test, "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral, "chat.update": self.chat_update,
            "chat.delete": self.chat_delete, "chat.getPermalink": self.chat_get_permalink,
            "views.open": self.views_open, "views.push": self.views_push,
            "views.update": self.views_update, "views.publish": self.views_publish,
            "usergroups.users.list": self.usergroups_users_list, "users.info": self.users_info,
            "conversations.info": self.conversations_info, "usergroups.list": self.usergroups_list,
        }
        self.files = FilesApi(ws, config, self.post)
        self.methods.update(self.files.methods)

    # -- checks shared by methods --------------------------------------------------------------

    def _blocks(self, method: str, params: Params) -> list[dict[str, Any]]:
        blocks = json_param(params, "blocks")
        if blocks is None:
            return []
        problems = validate_blocks(blocks, max_blocks=MESSAGE_MAX_BLOCKS)
        if problems:
            self.on_violation(method, problems)
            raise ApiError("invalid_blocks", messages=problems)
        return stamp_ids(blocks)

    def _view(self, method: str, params: Params) -> dict[str, Any]:
        view = json_param(params, "view")
        problems = validate_view(view) if view is not None else ["view is required"]
        if problems:
            self.on_violation(method, problems)
            raise ApiError("invalid_arguments", messages=problems)
        return {**view, "blocks": stamp_ids(view.get("blocks") or [])}

    def _message_content(self, method: str, params: Params) -> tuple[str, list[dict[str, Any]]]:
        blocks = self._blocks(method, params)
        text = str(params.get("text") or "")
        if not text and not blocks and not params.get("attachments"):
            raise ApiError("no_text")
        return text, blocks

    def _take_trigger(self, params: Params) -> str:
        """The user a trigger id was issued for; it is spent by this call."""
        trigger = self.ws.triggers.get(str(required(params, "trigger_id")))
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if time.time() - trigger.issued_at > self.config.trigger_ttl:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def _new_view(self, user: str, payload: dict[str, Any], previous: View | None = None) -> View:
        view = View(id=self.ws.new_id("V"), user=user, type=payload["type"], hash=self._hash(), payload=payload)
        if previous is not None:
            view.previous_view_id, view.root_view_id = previous.id, previous.root_view_id or previous.id
        return view

    @staticmethod
    def _hash() -> str:
        return f"{time.time():.6f}.{secrets.token_hex(4)}"

    def _view_answer(self, view: View) -> dict[str, Any]:
        view.seq = self.ws.touch()
        return {"ok": True, "view": view.to_api(self.config.team_id, self.config.app_id, self.config.bot_id)}

    # -- methods ---------------------------------------------------------------------------------

    def auth_test(self, _params: Params) -> dict[str, Any]:
        c = self.config
        return {"ok": True, "url": f"https://{c.team_domain}.slack.com/", "team": c.team_domain,
                "user": "loyalty-bot", "team_id": c.team_id, "user_id": c.bot_user_id, "bot_id": c.bot_id,
                "is_enterprise_install": False}

    def chat_post_message(self, params: Params) -> dict[str, Any]:
        channel = self.ws.channel(str(required(params, "channel")))
        text, blocks = self._message_content("chat.postMessage", params)
        message = self.post(channel.id, text, blocks, thread_ts=params.get("thread_ts") or None)
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_api()}

    def post(self, channel_id: str, text: str, blocks: list[dict[str, Any]], *, thread_ts: str | None = None,
             files: list[File] | None = None) -> Message:
        """Add a message from the app to a channel."""
        channel = self.ws.channel(channel_id)
        message = Message(channel=channel.id, ts=self.ws.new_ts(), text=text, blocks=blocks,
                          bot_id=self.config.bot_id, thread_ts=thread_ts, files=files or [])
        channel.messages.append(message)
        message.seq = self.ws.touch()
        return message

    def post_ephemeral(self, channel_id: str, user: str, text: str, blocks: list[dict[str, Any]],
                       thread_ts: str | None = None) -> Ephemeral:
        """Show a message to one user in a channel."""
        channel = self.ws.channel(channel_id)
        ephemeral = Ephemeral(channel=channel.id, user=user, ts=self.ws.new_ts(), text=text, blocks=blocks,
                              thread_ts=thread_ts)
        self.ws.ephemerals.append(ephemeral)
        ephemeral.seq = self.ws.touch()
        return ephemeral

    def chat_post_ephemeral(self, params: Params) -> dict[str, Any]:
        channel, user = str(required(params, "channel")), str(required(params, "user"))
        text, blocks = self._message_content("chat.postEphemeral", params)
        ephemeral = self.post_ephemeral(channel, user, text, blocks, params.get("thread_ts") or None)
        return {"ok": True, "message_ts": ephemeral.ts}

    def _own_message(self, params: Params, ts_name: str = "ts") -> Message:
        message = self.ws.find_message(str(required(params, "channel")), str(required(params, ts_name)))
        if message is None:
            raise ApiError("message_not_found")
        if message.bot_id != self.config.bot_id:
            raise ApiError("cant_update_message")
        return message

    def chat_update(self, params: Params) -> dict[str, Any]:
        message = self._own_message(params)
        blocks = self._blocks("chat.update", params)
        if "text" in params:
            message.text = str(params["text"] or "")
        if "blocks" in params:
            message.blocks = blocks
        message.edited = True
        message.seq = self.ws.touch()
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text,
                "message": message.to_api()}

    def chat_delete(self, params: Params) -> dict[str, Any]:
        message = self._own_message(params)
        self.ws.channels[message.channel].messages.remove(message)
        self.ws.touch()
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def chat_get_permalink(self, params: Params) -> dict[str, Any]:
        channel, ts = str(required(params, "channel")), str(required(params, "message_ts"))
        if self.ws.find_message(channel, ts) is None:
            raise ApiError("message_not_found")
        link = f"https://{self.config.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def views_open(self, params: Params) -> dict[str, Any]:
        payload = self._view("views.open", params)
        user = self._take_trigger(params)
        view = self._new_view(user, payload)
        self.ws.modals[user] = [view]
        return self._view_answer(view)

    def views_push(self, params: Params) -> dict[str, Any]:
        payload = self._view("views.push", params)
        return self._view_answer(self.push_view(self._take_trigger(params), payload))

    def push_view(self, user: str, payload: dict[str, Any]) -> View:
        """Put a new view on top of the user's open modal (three at most)."""
        stack = self.ws.modals.get(user) or []
        if not stack:
            raise ApiError("not_found", messages=["no modal is open to push onto"])
        if len(stack) >= MODAL_STACK_MAX:
            raise ApiError("push_limit_reached")
        view = self._new_view(user, payload, previous=stack[-1])
        stack.append(view)
        return view

    def views_update(self, params: Params) -> dict[str, Any]:
        payload = self._view("views.update", params)
        view = self.ws.find_view(params.get("view_id"), params.get("external_id"))
        if view is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != view.hash:
            raise ApiError("hash_conflict")
        self.replace_view(view, payload)
        return self._view_answer(view)

    def replace_view(self, view: View, payload: dict[str, Any]) -> None:
        """Give a view new content; like Slack, keep what the user typed into fields that remain."""
        kept = {(b.get("block_id"), e.get("action_id")) for b in payload.get("blocks") or []
                for e in block_elements(b)}
        view.state_values = {
            block_id: {a: v for a, v in actions.items() if (block_id, a) in kept}
            for block_id, actions in view.state_values.items()
        }
        view.state_values = {b: a for b, a in view.state_values.items() if a}
        view.payload, view.type, view.hash = payload, payload["type"], self._hash()

    def views_publish(self, params: Params) -> dict[str, Any]:
        user = str(required(params, "user_id"))
        payload = self._view("views.publish", params)
        if payload["type"] != "home":
            raise ApiError("invalid_arguments", messages=["views.publish takes a view of type home"])
        home = self.ws.homes.get(user)
        if home is not None and params.get("hash") and params["hash"] != home.hash:
            raise ApiError("hash_conflict")
        if home is None:
            home = self.ws.homes[user] = self._new_view(user, payload)
        else:
            self.replace_view(home, payload)
        return self._view_answer(home)

    def usergroups_users_list(self, params: Params) -> dict[str, Any]:
        group = str(required(params, "usergroup"))
        if group not in self.ws.usergroups:
            raise ApiError("no_such_subteam")
        return {"ok": True, "users": list(self.ws.usergroups[group])}

    def usergroups_list(self, params: Params) -> dict[str, Any]:
        groups = [{"id": group, "team_id": self.config.team_id, "handle": group.lower(), "name": group,
                   **({"users": list(users)} if truthy(params.get("include_users")) else {}),
                   "user_count": len(users)} for group, users in self.ws.usergroups.items()]
        return {"ok": True, "usergroups": groups}

    def users_info(self, params: Params) -> dict[str, Any]:
        user = self.ws.users.get(str(required(params, "user")))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": user.to_api()}

    def conversations_info(self, params: Params) -> dict[str, Any]:
        channel = self.ws.channels.get(str(required(params, "channel")))
        if channel is None:
            raise ApiError("channel_not_found")
        return {"ok": True, "channel": channel.to_api(self.config.team_id)}

    # -- response URLs -----------------------------------------------------------------------------

    def respond(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a POST to a response URL with Slack's rules (replace, delete, ephemeral or in channel)."""
        target = self.ws.response_urls.get(token)
        if target is None or target.uses >= RESPONSE_URL_USES:
            raise ApiError("expired_url", status=404)
        target.uses += 1
        source = target.source
        if truthy(body.get("delete_original")):
            self._remove(source)
            target.source = None
            self.ws.touch()
            return {"ok": True}
        blocks = self._blocks("response_url", body)
        text = str(body.get("text") or "")
        if truthy(body.get("replace_original")) and source is not None:
            source.text, source.blocks = text, blocks
            if isinstance(source, Message):
                source.edited = True
            source.seq = self.ws.touch()
        elif body.get("response_type") == "in_channel":
            target.source = self.post(target.channel, text, blocks, thread_ts=body.get("thread_ts"))
        else:
            target.source = self.post_ephemeral(target.channel, target.user, text, blocks, body.get("thread_ts"))
        return {"ok": True}

    def _remove(self, source: Message | Ephemeral | None) -> None:
        if isinstance(source, Ephemeral) and source in self.ws.ephemerals:
            self.ws.ephemerals.remove(source)
        elif isinstance(source, Message):
            channel = self.ws.channels.get(source.channel)
            if channel is not None and source in channel.messages:
                channel.messages.remove(source)

    def issue_response_url(self, user: str, channel: str, source: Message | Ephemeral | None = None) -> str:
        """A fresh response URL bound to a user, a channel and (for clicks) the message clicked."""
        token = secrets.token_urlsafe(12)
        self.ws.response_urls[token] = ResponseTarget(user=user, channel=channel, source=source)
        return f"{self.config.base_url}response/{token}"
