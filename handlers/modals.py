"""Buttons that answer with a modal: the trigger id dies in 3 seconds, so the modal opens before anything else."""

from __future__ import annotations

from re import Pattern
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.access import Role
from bot.interaction import Interaction
from bot.services import Services
from handlers.base import ActionRun, defer_with_modal


def on_modal_action(app: App, services: Services, action_id: str | Pattern[str], role: Role, title: str,
                    run: ActionRun) -> None:
    """A button whose answer is a modal: ack, open "Loading…" with the trigger, then (in the worker) check
    the clicker's role and let `run` fill the modal through `interaction.view_id`."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                 respond: Respond) -> None:
        ack()
        interaction = Interaction.from_body(body, client, respond, name=str(action.get("action_id", "")))

        def guarded() -> None:
            services.access.require(interaction.user_id, role)
            run(services, interaction, action)

        defer_with_modal(services, interaction, title, guarded)

    app.action(action_id)(listener)
