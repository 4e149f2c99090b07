"""Setting up the fake workspace (people, groups, channels) and reading what its people see."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from localstack.slack.state import Channel, Ephemeral, File, Message, User, View, Workspace

T = TypeVar("T")


class WorkspaceView:
    """The read side of the bench, plus waits for the replies the app posts after acknowledging.

    Waits take `since`, a sequence number from `mark()`; by default they look for what changed
    since the driver's last request (`last_mark`), so a fresh reply is never confused with an old one.
    """

    def __init__(self, team_id: str, team_domain: str) -> None:
        self.workspace = Workspace(team_id, team_domain)
        self.last_mark = 0

    @property
    def team_id(self) -> str:
        return self.workspace.team_id

    # -- setting up --------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        team_id: str | None = None,
        real_name: str = "",
        email: str | None = None,
        is_admin: bool = False,
        is_bot: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        deleted: bool = False,
    ) -> User:
        """Add (or replace) a person; `team_id` other than the workspace's makes them external."""
        user = User(id=user_id, name=name or user_id.lower(), team_id=team_id or self.team_id,
                    real_name=real_name, email=email, is_admin=is_admin, is_bot=is_bot,
                    is_restricted=is_restricted, is_ultra_restricted=is_ultra_restricted, deleted=deleted)
        with self.workspace.lock:
            self.workspace.users[user_id] = user
            self.workspace.touch()
        return user

    def add_usergroup(self, group_id: str, users: list[str]) -> None:
        """Add (or replace) a user group (`S…`) and its members."""
        with self.workspace.lock:
            self.workspace.usergroups[group_id] = list(users)
            self.workspace.touch()

    def add_channel(self, channel_id: str, name: str | None = None, *, is_private: bool = False,
                    is_ext_shared: bool = False, bot_is_member: bool = True) -> Channel:
        """Add a channel (channels the app posts to are otherwise created on first use)."""
        with self.workspace.lock:
            channel = self.workspace.channel(channel_id)
            channel.name, channel.is_private = name or channel.name, is_private
            channel.is_ext_shared, channel.is_member = is_ext_shared, bot_is_member
            self.workspace.touch()
            return channel

    def user(self, user_id: str) -> User | None:
        """The person with that id, if added."""
        return self.workspace.users.get(user_id)

    def channel_name(self, channel_id: str) -> str:
        """The channel's name as Slack sends it in payloads."""
        with self.workspace.lock:
            return self.workspace.channel(channel_id).name

    # -- reading what people see -----------------------------------------------------------------------

    def mark(self) -> int:
        """Remember this moment; later waits (by default) look only for what changes after it."""
        with self.workspace.lock:
            self.last_mark = self.workspace.seq
            return self.last_mark

    def messages(self, channel: str) -> list[Message]:
        """The channel's visible messages, oldest first (thread replies included, with `thread_ts`)."""
        with self.workspace.lock:
            found = self.workspace.channels.get(channel)
            return list(found.messages) if found else []

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages still showing, oldest first, for one user and/or channel."""
        with self.workspace.lock:
            return [e for e in self.workspace.ephemerals
                    if (user is None or e.user == user) and (channel is None or e.channel == channel)]

    def modal_stack(self, user: str) -> list[View]:
        """The user's open modals, bottom first (at most three)."""
        with self.workspace.lock:
            return list(self.workspace.modals.get(user) or [])

    def modal(self, user: str) -> View | None:
        """The modal the user is looking at, if any."""
        stack = self.modal_stack(user)
        return stack[-1] if stack else None

    def home(self, user: str) -> View | None:
        """The App Home the app published for the user, if any."""
        return self.workspace.homes.get(user)

    def files(self, channel: str | None = None) -> list[File]:
        """Files uploaded and shared (to `channel`, when given)."""
        with self.workspace.lock:
            return [f for f in self.workspace.files.values()
                    if f.uploaded and (channel is None or channel in f.channels)]

    # -- waiting --------------------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], T | None], *, timeout: float = 5, what: str = "the condition") -> T:
        """Wait until `predicate()` (run after every change) returns something truthy, and return it."""
        return self.workspace.wait_for(predicate, timeout, what)

    def _since(self, since: int | None) -> int:
        return self.last_mark if since is None else since

    def wait_for_ephemeral(self, user: str, channel: str | None = None, *, timeout: float = 5,
                           since: int | None = None) -> Ephemeral:
        """The newest ephemeral shown to (or replaced for) `user` after `since`."""
        after = self._since(since)

        def newest() -> Ephemeral | None:
            fresh = [e for e in self.ephemerals(user, channel) if e.seq > after]
            return max(fresh, key=lambda e: e.seq) if fresh else None

        return self.wait_for(newest, timeout=timeout, what=f"an ephemeral message to {user}")

    def wait_for_message(self, channel: str, *, timeout: float = 5, since: int | None = None,
                         thread_ts: str | None = None) -> Message:
        """The newest message posted (or updated) in `channel` after `since`, in a thread if given."""
        after = self._since(since)

        def newest() -> Message | None:
            fresh = [m for m in self.messages(channel)
                     if m.seq > after and (thread_ts is None or m.thread_ts == thread_ts)]
            return max(fresh, key=lambda m: m.seq) if fresh else None

        return self.wait_for(newest, timeout=timeout, what=f"a message in {channel}")

    def wait_for_modal(self, user: str, *, timeout: float = 5, since: int | None = None,
                       callback_id: str | None = None) -> View:
        """The user's top modal once it was opened, pushed or updated after `since`."""
        after = self._since(since)

        def changed() -> View | None:
            top = self.modal(user)
            fits = top is not None and top.seq > after and callback_id in (None, top.callback_id)
            return top if fits else None

        return self.wait_for(changed, timeout=timeout, what=f"a modal for {user}")

    def wait_for_home(self, user: str, *, timeout: float = 5, since: int | None = None) -> View:
        """The user's App Home once published after `since`."""
        after = self._since(since)

        def published() -> View | None:
            home = self.home(user)
            return home if home is not None and home.seq > after else None

        return self.wait_for(published, timeout=timeout, what=f"an App Home for {user}")

    def wait_for_reply(self, user: str, channel: str | None = None, *, timeout: float = 5,
                       since: int | None = None) -> Message | Ephemeral:
        """Whatever the user sees first after `since`: an ephemeral to them or a message in the channel."""
        after = self._since(since)

        def replies() -> list[Message | Ephemeral]:
            fresh: list[Message | Ephemeral] = [e for e in self.ephemerals(user, channel) if e.seq > after]
            if channel is not None:
                fresh += [m for m in self.messages(channel) if m.seq > after]
            return fresh

        return max(self.wait_for(replies, timeout=timeout, what=f"a reply to {user}"), key=lambda item: item.seq)
