"""The global error handler: a listener's failure goes down the same `report` path as background work's."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.errors import UserError
from bot.interaction import Interaction
from bot.report import report


def on_error(error: Exception, body: dict[str, Any], request: BoltRequest, client: WebClient,
             respond: Any) -> BoltResponse | None:
    """Tell the user through `report`, and choose the HTTP answer.

    The app answers Slack when the listener returns (`process_before_response`), and Bolt turns any exception
    into a 500, even after `ack()`: Slack would then show its own error on top of ours. So an answer already
    acknowledged stands; a view submission not yet acknowledged is answered with the error modal; an error
    meant for the user is acknowledged with a plain 200. Only an unexpected failure before the ack stays a 500.
    """
    ack = request.context.ack
    interaction = Interaction.from_body(body, client, respond, name=_name_of(body))
    submission = body.get("type") == "view_submission" and ack.response is None
    report(interaction, error, ack=ack if submission else None)
    if ack.response is None and isinstance(error, UserError):
        ack()
    return ack.response


def _name_of(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    view = body.get("view") or {}
    return str(body.get("command") or actions[0].get("action_id") or view.get("callback_id")
               or body.get("callback_id") or "")


def register(app: App) -> None:
    app.error(on_error)
