"""The shapes every listener shares: ack at once, check the role in the worker, run the service, reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from re import Pattern
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.access import Role
from bot.commands import Command, CommandError, Help, parse
from bot.coupontools import Card, Member
from bot.errors import UserError
from bot.interaction import Interaction
from bot.lookup import SeveralMembers
from bot.services import Services
from bot.views import ids
from bot.views.common import error_modal, loading_modal
from bot.views.help import help_message, usage_message
from bot.views.members import member_choices_message

log = logging.getLogger(__name__)

OUT_OF_DATE = "That form or button is out of date. Look the member up again with `/loyalty member`."

SubcommandRun = Callable[[Services, Interaction, Any], None]
ActionRun = Callable[[Services, Interaction, dict[str, Any]], None]


@dataclass(frozen=True)
class Subcommand:
    run: SubcommandRun
    role: Role
    modal_title: str | None = None
    """Set for subcommands that answer with a modal: it opens at once (the trigger dies in 3 s) as "Loading…"."""


class Router:
    """`/loyalty`: parse, answer bad input and help in the ack itself, and hand real work to the worker."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.routes: dict[str, Subcommand] = {}

    def add(self, name: str, run: SubcommandRun, role: Role, *, modal_title: str | None = None) -> None:
        self.routes[name] = Subcommand(run, role, modal_title)

    def on_command(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        try:
            command = parse(str(body.get("text") or ""), max_stamps=self.services.settings.loyalty_max_stamps)
        except CommandError as exc:
            ack(response_type="ephemeral", **usage_message(exc.subcommand, exc.message).to_dict())
            return
        route = self.routes.get(command.name)
        if isinstance(command, Help) or route is None:
            unknown = command.unknown if isinstance(command, Help) else None
            suggestion = command.suggestion if isinstance(command, Help) else None
            ack(response_type="ephemeral", **help_message(unknown=unknown, suggestion=suggestion).to_dict())
            return
        ack()
        interaction = Interaction.from_body(body, client, respond, name=command.name)
        if route.modal_title:
            defer_with_modal(self.services, interaction, route.modal_title, self._run, route, interaction, command)
        else:
            self.services.defer(interaction, self._run, route, interaction, command)

    def _run(self, route: Subcommand, interaction: Interaction, command: Command) -> None:
        self.services.access.require(interaction.user_id, route.role)
        route.run(self.services, interaction, command)


def defer_with_modal(services: Services, interaction: Interaction, title: str, task: Callable[..., None],
                     *args: Any) -> None:
    """Open a "Loading…" modal with the interaction's trigger at once, then run `task` on the worker with the
    modal's id in `interaction.view_id`.

    The app answers Slack when its listener returns (`process_before_response`), so the listener must not
    wait for `views.open` itself: the call goes to the worker's urgent pool, not the main one, which a burst
    of slow commands can keep busy for longer than the 3 s the trigger id lives. If it fails, the deferred
    task fails with it and the user is told in words.
    """
    opening = services.worker.urgent(interaction.client.views_open, trigger_id=interaction.trigger_id,
                                     view=loading_modal(title))

    def when_open() -> None:
        interaction.view_id = opening.result()["view"]["id"]
        task(*args)

    services.defer(interaction, when_open)


def on_action(app: App, services: Services, action_id: str | Pattern[str], role: Role, run: ActionRun) -> None:
    """A button or menu: ack, then (in the worker) check the clicker's role and run."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        interaction = Interaction.from_body(body, client, respond, name=str(action.get("action_id", "")))

        def guarded() -> None:
            services.access.require(interaction.user_id, role)
            run(services, interaction, action)

        services.defer(interaction, guarded)

    app.action(action_id)(listener)


def pick_member(services: Services, interaction: Interaction, card: Card, ref: str, title: str) -> Member | None:
    """The one member `ref` names; when several match, list them in the conversation and return None."""
    try:
        return services.lookup.member(card, ref)
    except SeveralMembers as many:
        interaction.reply(member_choices_message(many.card, many.members, many.query))
        if interaction.view_id:
            services.slack.views_update(view_id=interaction.view_id, view=error_modal(
                title, f"{len(many.members)} members match `{ref}`. I listed them in the conversation: "
                       "open the one you mean and use its buttons."))
        return None


def clicked_member(services: Services, action: dict[str, Any]) -> tuple[Card, Member]:
    """The card and member a member button names (value `"<card_id>:<member_id>"`), freshly read."""
    ref = ids.parse_member_ref(action.get("value"))
    if ref is None:
        raise UserError(OUT_OF_DATE)
    return services.lookup.member_by_id(*ref)
