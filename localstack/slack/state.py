"""What a Slack workspace looks like to its people: the model the fake Web API reads and writes.

Objects here are live: the bench updates them in place (a `chat.update` changes the `Message` a test
already holds), and every change bumps `Workspace.seq` so waiters can tell new from old.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class BenchTimeout(AssertionError):
    """A `wait_for…` gave up: what the test waited for never appeared in the workspace."""


@dataclass
class User:
    """A member of the workspace (or of another organisation, when `team_id` differs)."""

    id: str
    name: str
    team_id: str
    real_name: str = ""
    email: str | None = None
    is_admin: bool = False
    is_bot: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        """The `user` object of `users.info`."""
        profile: dict[str, Any] = {"real_name": self.real_name or self.name, "display_name": self.name}
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id, "team_id": self.team_id, "name": self.name, "deleted": self.deleted,
            "real_name": self.real_name or self.name, "tz": "Europe/Brussels", "is_admin": self.is_admin,
            "is_owner": False, "is_bot": self.is_bot, "is_app_user": False,
            "is_restricted": self.is_restricted, "is_ultra_restricted": self.is_ultra_restricted,
            "profile": profile,
        }


@dataclass
class Channel:
    """A conversation: public or private channel, or a direct message with the app."""

    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_ext_shared: bool = False
    is_member: bool = True
    """Whether the app's bot is in the channel."""
    messages: list[Message] = field(default_factory=list)

    def to_api(self, team_id: str) -> dict[str, Any]:
        """The `channel` object of `conversations.info`."""
        return {
            "id": self.id, "name": self.name, "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private, "is_im": self.is_im, "is_private": self.is_private or self.is_im,
            "is_archived": False, "is_shared": self.is_ext_shared, "is_ext_shared": self.is_ext_shared,
            "is_org_shared": False, "is_member": self.is_member, "context_team_id": team_id,
        }


@dataclass
class Message:
    """A message everyone in the channel sees; `user` is its author, None when the app posted it."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    files: list[File] = field(default_factory=list)
    edited: bool = False
    seq: int = 0

    is_ephemeral = False

    def to_api(self) -> dict[str, Any]:
        """The message object Slack puts in API answers and interaction payloads."""
        message: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.blocks:
            message["blocks"] = self.blocks
        if self.user:
            message["user"] = self.user
        if self.bot_id:
            message.update(bot_id=self.bot_id, subtype="bot_message")
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.files:
            message["files"] = [f.to_api() for f in self.files]
        if self.edited:
            message["edited"] = {"user": self.bot_id or self.user, "ts": self.ts}
        return message


@dataclass
class Ephemeral:
    """A message only `user` sees in `channel`, until replaced or deleted through its response URL."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    seq: int = 0

    is_ephemeral = True


@dataclass
class View:
    """A modal (one of a user's stack of up to three) or a user's App Home."""

    id: str
    user: str
    type: str
    hash: str
    payload: dict[str, Any]
    state_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    root_view_id: str | None = None
    previous_view_id: str | None = None
    seq: int = 0

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.payload.get("blocks") or [])

    @property
    def callback_id(self) -> str:
        return str(self.payload.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.payload.get("private_metadata") or "")

    @property
    def title(self) -> str:
        return str((self.payload.get("title") or {}).get("text", ""))

    @property
    def notify_on_close(self) -> bool:
        return bool(self.payload.get("notify_on_close"))

    def to_api(self, team_id: str, app_id: str, bot_id: str) -> dict[str, Any]:
        """The `view` object of `views.*` answers and of interaction payloads, with current state."""
        view = {
            "id": self.id, "team_id": team_id, "type": self.type, "blocks": self.blocks,
            "private_metadata": self.private_metadata, "callback_id": self.callback_id,
            "state": {"values": self.state_values}, "hash": self.hash, "title": self.payload.get("title"),
            "clear_on_close": bool(self.payload.get("clear_on_close")), "notify_on_close": self.notify_on_close,
            "close": self.payload.get("close"), "submit": self.payload.get("submit"),
            "previous_view_id": self.previous_view_id, "root_view_id": self.root_view_id or self.id,
            "app_id": app_id, "external_id": self.payload.get("external_id", ""),
            "app_installed_team_id": team_id, "bot_id": bot_id,
        }
        if self.type == "home":
            view["title"] = self.payload.get("title") or {"type": "plain_text", "text": "View Title"}
        return view


@dataclass
class File:
    """A file the app uploaded (files upload v2) or a test registered for a `file_input`."""

    id: str
    name: str
    title: str
    content: bytes
    user: str
    created: int
    url_private: str
    url_private_download: str
    mimetype: str = "application/octet-stream"
    channels: list[str] = field(default_factory=list)
    uploaded: bool = False

    @property
    def filetype(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "binary"

    def to_api(self) -> dict[str, Any]:
        """The `file` object of `files.info` and of `file_input` state."""
        return {
            "id": self.id, "created": self.created, "timestamp": self.created, "name": self.name,
            "title": self.title, "mimetype": self.mimetype, "filetype": self.filetype,
            "user": self.user, "size": len(self.content), "url_private": self.url_private,
            "url_private_download": self.url_private_download, "channels": list(self.channels),
            "is_external": False, "mode": "hosted",
        }


@dataclass
class Trigger:
    """A trigger id handed to the app with an interaction; good once, for a few seconds."""

    user: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseTarget:
    """What a response URL is bound to: who, where, and which message it may replace."""

    user: str
    channel: str
    source: Message | Ephemeral | None = None
    uses: int = 0


class Workspace:
    """The whole state, guarded by one lock; `changed` wakes waiters after every change."""

    def __init__(self, team_id: str, team_domain: str) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.seq = 0
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: list[Ephemeral] = []
        self.modals: dict[str, list[View]] = {}
        self.homes: dict[str, View] = {}
        self.files: dict[str, File] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseTarget] = {}
        self._counter = itertools.count(1)

    def touch(self) -> int:
        """Record that something changed; returns the new sequence number. Call with the lock held."""
        self.seq += 1
        self.changed.notify_all()
        return self.seq

    def new_ts(self) -> str:
        """A message timestamp, unique and increasing like Slack's."""
        return f"{int(time.time())}.{next(self._counter):06d}"

    def new_id(self, prefix: str) -> str:
        """A Slack-looking id (`V0A1B2C3D4`, `F…`) that is never reused."""
        return f"{prefix}0{next(self._counter):04d}{secrets.token_hex(3).upper()}"

    def channel(self, channel_id: str) -> Channel:
        """The channel with that id, created on first use (a user id opens a direct message)."""
        if channel_id[:1] in ("U", "W"):
            channel_id = "D" + channel_id[1:]
        found = self.channels.get(channel_id)
        if found is None:
            found = Channel(id=channel_id, name=channel_id.lower(), is_im=channel_id.startswith("D"))
            self.channels[channel_id] = found
        return found

    def find_message(self, channel_id: str, ts: str) -> Message | None:
        """The visible message at `ts` in the channel, if any."""
        channel = self.channels.get(channel_id)
        return next((m for m in channel.messages if m.ts == ts), None) if channel else None

    def find_view(self, view_id: str | None = None, external_id: str | None = None) -> View | None:
        """An open modal or published home by id or external id."""
        views = [*itertools.chain.from_iterable(self.modals.values()), *self.homes.values()]
        for view in views:
            if (view_id and view.id == view_id) or (
                external_id and view.payload.get("external_id") == external_id
            ):
                return view
        return None

    def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Evaluate `predicate` after every change until it returns something truthy."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BenchTimeout(f"waited {timeout:g}s for {what}; it did not happen")
                self.changed.wait(remaining)
