"""Who may do what: viewers look up, operators change members and ask for pushes, admins void, delete and approve."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from enum import IntEnum
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.errors import Unavailable, UserError

log = logging.getLogger(__name__)
T = TypeVar("T")


class Role(IntEnum):
    NONE = 0
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return "no access" if self is Role.NONE else self.name.lower()


class AccessDenied(UserError):
    """The user may not do this; the message says what role it needs and whom to ask."""


class DirectoryUnavailable(Unavailable):
    """Slack could not tell us who the user is, so we cannot decide; refuse and say to try again."""

    words = "I couldn't check your access with Slack just now."


class _TtlCache:
    """A small per-process cache: nothing here must be shared, it only saves Slack calls."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] > now:
                return hit[1]  # type: ignore[no-any-return]
        value = load()
        with self._lock:
            self._items[key] = (now + self.ttl, value)
        return value


_NEEDS = {
    Role.VIEWER: "look up members",
    Role.OPERATOR: "change members, copy cards and ask for pushes",
    Role.ADMIN: "void and delete cards, approve pushes and read the audit log",
}
_SETTING = {Role.VIEWER: "LOYALTY_VIEWERS", Role.OPERATOR: "LOYALTY_OPERATORS", Role.ADMIN: "LOYALTY_ADMINS"}


class Access:
    """Decides a Slack user's role from the settings, user groups, and whether they are a guest or external."""

    def __init__(self, settings: Settings, client: WebClient, *, ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.viewers = frozenset(settings.loyalty_viewers)
        self.operators = frozenset(settings.loyalty_operators)
        self.admins = frozenset(settings.loyalty_admins)
        self.client = client
        self._cache = _TtlCache(ttl, clock)

    def role_of(self, user_id: str) -> Role:
        """The user's role now; guests and people from other organisations only get roles listed by their id."""
        if self._is_guest_or_external(user_id):
            return self._explicit_role(user_id)
        if self._listed(user_id, self.admins):
            return Role.ADMIN
        if self._listed(user_id, self.operators):
            return Role.OPERATOR
        if not self.viewers or self._listed(user_id, self.viewers):
            return Role.VIEWER
        return Role.NONE

    def require(self, user_id: str, needed: Role) -> Role:
        """Return the user's role, or raise AccessDenied with a message that says what is missing."""
        role = self.role_of(user_id)
        if role < needed:
            raise AccessDenied(
                f"You need the {needed.label} role to {_NEEDS[needed]} (you are: {role.label}). "
                f"Ask a workspace admin to add you to {_SETTING[needed]}."
            )
        return role

    def _explicit_role(self, user_id: str) -> Role:
        for role, ids in ((Role.ADMIN, self.admins), (Role.OPERATOR, self.operators), (Role.VIEWER, self.viewers)):
            if user_id in ids:
                return role
        return Role.NONE

    def _listed(self, user_id: str, ids: frozenset[str]) -> bool:
        if user_id in ids:
            return True
        return any(user_id in self._group_members(group) for group in ids if group.startswith("S"))

    def _group_members(self, group_id: str) -> frozenset[str]:
        def load() -> frozenset[str]:
            try:
                response = self.client.usergroups_users_list(usergroup=group_id)
            except SlackApiError as exc:
                log.warning("could not read user group %s: %s", group_id, exc.response.get("error"))
                return frozenset()
            except SlackClientError as exc:
                raise DirectoryUnavailable(str(exc)) from exc
            return frozenset(response.get("users") or ())

        return self._cache.get(("group", group_id), load)

    def _app_team(self) -> str | None:
        def load() -> str | None:
            try:
                return self.client.auth_test().get("team_id")
            except SlackClientError as exc:
                raise DirectoryUnavailable(str(exc)) from exc

        return self._cache.get("team", load)

    def _is_guest_or_external(self, user_id: str) -> bool:
        def load() -> bool:
            try:
                user = self.client.users_info(user=user_id).get("user") or {}
            except SlackApiError as exc:
                # Slack cannot describe people from other organisations to us: treat them as external.
                log.info("users.info refused for a user: %s", exc.response.get("error"))
                return True
            except SlackClientError as exc:
                raise DirectoryUnavailable(str(exc)) from exc
            guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("is_stranger"))
            team = self._app_team()
            external = bool(team and user.get("team_id") and user.get("team_id") != team)
            return guest or external

        return self._cache.get(("user", user_id), load)
