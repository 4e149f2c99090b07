"""Sandbox mode's one hook: every message, reply and view leaving the app gets the sandbox line.

Installed by `bot.app` when `LOYALTY_SANDBOX` is on. The answers leave three ways, and each is wrapped here:
Web API calls (the process's client and each request's), response URLs (`respond`), and `ack` bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookResponse

from bot.views.sandbox import marked_blocks, marked_payload, marked_view

_MARKED_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "views.open", "views.push",
                             "views.update", "views.publish"})


class SandboxWebClient(WebClient):
    """A WebClient whose messages and views carry the sandbox line."""

    @classmethod
    def like(cls, client: WebClient) -> SandboxWebClient:
        """The same client (token, URL, timeouts, retries), marking what it sends."""
        return cls(token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl,
                   proxy=client.proxy, headers=client.headers, logger=client.logger,
                   retry_handlers=client.retry_handlers)

    def api_call(self, api_method: str, *, json: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if api_method in _MARKED_METHODS and json is not None:
            json = marked_payload(json)
        return super().api_call(api_method, json=json, **kwargs)


class _SandboxRespond(Respond):
    def __call__(self, text: str | dict[str, Any] = "", blocks: Any = None, **kwargs: Any) -> WebhookResponse:  # type: ignore[override]
        if isinstance(text, dict):
            return super().__call__(marked_payload(text))
        return super().__call__(text, marked_blocks(text, blocks) or blocks, **kwargs)


class _SandboxAck(Ack):
    def __call__(self, text: str | dict[str, Any] = "", blocks: Any = None, **kwargs: Any) -> BoltResponse:  # type: ignore[override]
        if kwargs.get("view") is not None:
            kwargs["view"] = marked_view(kwargs["view"])
        elif isinstance(text, dict):
            text = marked_payload(text)
        else:
            blocks = marked_blocks(text, blocks) or blocks
        return super().__call__(text, blocks, **kwargs)


def mark_replies(context: BoltContext, next: Callable[[], None]) -> None:
    """Bolt middleware: this request's client, `respond` and `ack` mark everything they send."""
    context["client"] = SandboxWebClient.like(context.client)
    if context.respond is not None:
        old = context.respond
        context["respond"] = _SandboxRespond(response_url=old.response_url, proxy=old.proxy, ssl=old.ssl)
    context["ack"] = _SandboxAck()
    next()
