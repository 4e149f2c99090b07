"""What every fake Web API method shares: the error answer, the bench's identity, parameter reading."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """A Slack error answer: `{"ok": false, "error": ...}` with an HTTP status."""

    def __init__(self, error: str, *, status: int = 200, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


@dataclass
class BenchConfig:
    """Who the app is in the fake workspace, and the bench's own rules."""

    bot_token: str
    team_id: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    trigger_ttl: float
    scopes: tuple[str, ...] = ()
    """The bot scopes granted, sent in the `x-oauth-scopes` header as Slack does."""
    app_token: str | None = None
    """The app-level token (`xapp-`) that opens Socket Mode connections."""
    base_url: str = ""


Params = dict[str, Any]
ViolationHook = Callable[[str, list[str]], None]
"""Told (method, problems) when the app sends something Slack would refuse."""


def required(params: Params, name: str) -> Any:
    """The parameter's value; Slack's `invalid_arguments` answer when it is missing or empty."""
    value = params.get(name)
    if value in (None, ""):
        raise ApiError("invalid_arguments", messages=[f"missing required field: {name}"])
    return value


def json_param(params: Params, name: str) -> Any:
    """A parameter that is JSON when form-encoded (blocks, view, files) and already decoded in a JSON body."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except ValueError:
            raise ApiError("invalid_arguments", messages=[f"{name} is not valid JSON"]) from None
    return value


def truthy(value: Any) -> bool:
    """A flag as Slack reads it from JSON (`true`) or a form (`1`, `true`)."""
    return value in (True, 1) or str(value).lower() in ("1", "true")


