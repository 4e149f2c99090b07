"""The twelve endpoints: which path and method reach which state change, and what comes back."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox import validation
from bot.sandbox.errors import BAD_VALUE, SandboxError, card_not_found, member_not_found
from bot.sandbox.state import SandboxState

Handler = Callable[[SandboxState, Any, int, int], Any]

_CARDS = "/loyalty/loyalty-cards"
_CARD = _CARDS + r"/(?P<card>[^/]+)"
_MEMBER = _CARD + r"/stats/(?P<member>[^/]+)"


@dataclass(frozen=True)
class Route:
    """One endpoint; `changes` marks the ones that alter state (saved to the state file after)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    changes: bool


def _deleted(state: SandboxState, _body: Any, card: int, member: int) -> dict[str, Any]:
    state.delete_member(card, member)
    return {}


_TABLE: list[tuple[str, str, Handler, bool]] = [
    ("GET", _CARDS, lambda state, _body, _card, _member: state.list_cards(), False),
    ("POST", _CARD + "/copy",
     lambda state, body, card, _member: state.copy_card(card, validation.copy_name(body)), True),
    ("GET", _CARD + "/stats",
     lambda state, body, card, _member: state.list_members(card, validation.list_query(body)), False),
    ("POST", _CARD + "/stats",
     lambda state, body, card, _member: state.create_member(card, validation.member_fields(body)), True),
    # Before the member routes, so "bulk" is not read as a member id.
    ("POST", _CARD + "/stats/bulk",
     lambda state, body, card, _member: state.create_members(card, validation.member_rows(body)), True),
    ("GET", _MEMBER, lambda state, _body, card, member: state.get_member(card, member), False),
    ("POST", _MEMBER,
     lambda state, body, card, member: state.update_member(card, member, validation.member_fields(body)), True),
    ("DELETE", _MEMBER, _deleted, True),
    ("POST", _MEMBER + "/stamps",
     lambda state, body, card, member: state.add_stamps(card, member, validation.stamp_amount(body)), True),
    ("PUT", _MEMBER + "/rewards",
     lambda state, body, card, member: state.use_rewards(card, member, validation.reward_ids(body)), True),
    ("PUT", _MEMBER + "/void", lambda state, _body, card, member: state.void_member(card, member), True),
    ("POST", _CARD + "/push-notifications",
     lambda state, body, card, _member: state.push(card, *validation.push_request(body)), True),
]
ROUTES: tuple[Route, ...] = tuple(
    Route(method, re.compile(pattern + "$"), handler, changes) for method, pattern, handler, changes in _TABLE
)


def find(method: str, path: str) -> tuple[Route, int, int]:
    """The route for `path` (without the /v4 prefix) and its card and member ids (0 when absent).

    Raises SandboxError: 404 for an unknown path, card or member id that is not a number, 405 for a
    known path with the wrong method.
    """
    path = path.rstrip("/") or "/"
    path_known = False
    for route in ROUTES:
        match = route.pattern.match(path)
        if match is None:
            continue
        path_known = True
        if route.method != method:
            continue
        groups = match.groupdict()
        card_text, member_text = groups.get("card") or "0", groups.get("member") or "0"
        if not card_text.isdigit():
            raise card_not_found()
        if not member_text.isdigit():
            raise member_not_found()
        return route, int(card_text), int(member_text)
    if path_known:
        raise SandboxError(405, BAD_VALUE, f"Method {method} is not allowed here")
    raise SandboxError(404, BAD_VALUE, "Unknown endpoint")
