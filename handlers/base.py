"""The shapes every listener shares: ack at once, check the role in the worker, run the service, reply.

Each handler module ends in `LISTENERS`, a flat table of what it listens to (kind, id, role, function);
`register` wires a table into the app, one helper per kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from re import Pattern
from typing import Any, Literal

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot import cardnames, metrics
from bot.access import Role
from bot.cardnames import CardChoice
from bot.commands import (
    CARD_FIRST,
    DEFAULTABLE,
    MAX_TEXT,
    CardWords,
    Command,
    CommandError,
    Help,
    card_words,
    clean,
    parse,
)
from bot.coupontools import Card, Member
from bot.errors import UserError
from bot.interaction import Interaction
from bot.lookup import SeveralMembers
from bot.services import Services
from bot.views import ids
from bot.views.cards import STALE_CHOICE, card_choice_message
from bot.views.common import Message, error_modal, loading_modal, notice
from bot.views.forms import FormValues
from bot.views.help import help_message, topic_message, usage_message
from bot.views.member import OUT_OF_DATE
from bot.views.members import member_choices_message, several_members_text

log = logging.getLogger(__name__)

Kind = Literal["subcommand", "action", "shortcut", "submission", "event"]
Run = Callable[[Services, Interaction, Any], None]
"""What a listener runs in the worker: the parsed command, the clicked action, the shortcut or event payload,
or what a submission's `read` accepted."""


@dataclass(frozen=True)
class Accepted:
    """A valid submission: the modal shows `working` at once, and the listener's function gets `value`."""

    working: View
    value: Any
    channel_id: str | None = None
    """Where replies go, when the form carried it (a submission has no conversation of its own)."""


Answer = dict[str, str] | View | Accepted
"""How a submission is answered in its ack: field errors (block id -> words), a final modal, or Accepted."""


@dataclass(frozen=True)
class Listener:
    """One row of a registration table."""

    kind: Kind
    id: str | Pattern[str]
    role: Role | None
    """Checked in the worker before `run`, on every request (None: anyone, e.g. the Home tab)."""
    run: Run
    modal_title: str | None = None
    """Answer with a modal: it opens at once as "Loading…" (the trigger id dies in 3 s) and `run` fills it
    through `interaction.view_id`."""
    read: Callable[[FormValues], Answer] | None = None
    """Submissions only: checks the form in the ack, without any API call."""


class Router:
    """`/loyalty`: parse, answer bad input and help in the ack itself, and hand real work to the worker."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.routes: dict[str, Listener] = {}

    def add(self, listener: Listener) -> None:
        self.routes[str(listener.id)] = listener

    def on_command(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        text = str(body.get("text") or "")
        name = clean(text[:MAX_TEXT]).partition(" ")[0].lower()
        route = self.routes.get(name) if name in CARD_FIRST else None

        def run_typed(route: Listener) -> None:
            ack()
            self._run_typed(Interaction.from_body(body, client, respond, name=name), route, text, None)

        if route is not None:
            words = card_words(text)
            if words and not words[0].isdigit():
                run_typed(route)  # the card list decides which words are the card: in the worker, never in the ack
                return
        try:
            command = parse(text, max_stamps=self.services.settings.loyalty_max_stamps)
        except CommandError as exc:
            if route is not None and name in DEFAULTABLE and self._default_now(body.get("channel_id")) is not None:
                run_typed(route)  # incomplete without a card: the channel's default card may complete it
                return
            metrics.HANDLED.labels(exc.subcommand or "usage", "refused").inc()
            ack(response_type="ephemeral", **usage_message(exc.subcommand, exc.message).to_dict())
            return
        route = self.routes.get(command.name)
        if isinstance(command, Help) or route is None:
            metrics.HANDLED.labels("help", "ok").inc()
            shown = command if isinstance(command, Help) else Help()
            if shown.topic is not None:
                ack(response_type="ephemeral", **topic_message(shown.topic).to_dict())
                return
            default = self._default_now(body.get("channel_id"))
            ack(response_type="ephemeral", **help_message(
                unknown=shown.unknown, suggestion=shown.suggestion, default_card=default[1] if default else None,
            ).to_dict())
            return
        ack()
        interaction = Interaction.from_body(body, client, respond, name=command.name)
        if command.name in DEFAULTABLE:
            self._run_parsed(interaction, route, text, command)
        else:
            _defer(self.services, route, interaction, command)

    def on_run(self, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
               respond: Respond) -> None:
        """A "Did you mean…?" or "which card?" button: run the command typed, with the card picked."""
        ack()
        typed = ids.parse_typed_command(action.get("value"))
        route = self.routes.get(clean(typed[2]).partition(" ")[0].lower()) if typed else None
        if typed is None or route is None:
            interaction = Interaction.from_body(body, client, respond, name=ids.COMMAND_RUN)
            self.services.defer(interaction, interaction.reply, notice(STALE_CHOICE))
            return
        card_id, count, text = typed
        self._run_typed(Interaction.from_body(body, client, respond, name=str(route.id)), route, text,
                        CardWords(count, str(card_id)))

    def _run_typed(self, interaction: Interaction, route: Listener, text: str, card: CardWords | None) -> None:
        """Resolve the card, parse and run `text` in the worker (after the role check)."""

        def run(services: Services, interaction: Interaction, _value: None) -> None:
            command = self._resolve(interaction, route, text, card)
            if command is not None:
                route.run(services, interaction, command)

        _defer(self.services, replace(route, run=run), interaction, None)

    def _run_parsed(self, interaction: Interaction, route: Listener, text: str, command: Command) -> None:
        """Run a command that parsed with a card id (or none) in the worker: where the channel has a default
        card, the card list decides whether its first word is a card or the default card stands in. The ack
        never reads the database for a command that parses (a read each command at a busy counter)."""

        def run(services: Services, interaction: Interaction, parsed: Command) -> None:
            if (default := self._default_now(interaction.channel_id)) is not None:
                resolved = self._resolve(interaction, route, text, None, default=default)
                if resolved is None:
                    return
                parsed = resolved
            route.run(services, interaction, parsed)

        _defer(self.services, replace(route, run=run), interaction, command)

    def _resolve(self, interaction: Interaction, route: Listener, text: str, card: CardWords | None, *,
                 default: tuple[int, str] | None = None) -> Command | None:
        """The command `text` means, its card found in the card list (with the channel's `default` card when
        the caller has read it already); a problem is answered here (None)."""
        try:
            if card is None:
                card = self._card_words(interaction, text, default)
            return parse(text, max_stamps=self.services.settings.loyalty_max_stamps, card=card)
        except CommandError as exc:
            self._answer(interaction, route, usage_message(exc.subcommand, exc.message), exc.message)
        except CardChoice as choice:
            values = [ids.typed_command(option.id, choice.count, text) for option in choice.cards]
            self._answer(interaction, route, card_choice_message(choice.message, choice.cards, values),
                         choice.message)
        return None

    def _card_words(self, interaction: Interaction, text: str, default: tuple[int, str] | None) -> CardWords | None:
        """Which words of `text` name its card, or that the channel's default card stands in for none (`default`,
        else read here)."""
        words = card_words(text)
        name = clean(text[:MAX_TEXT]).partition(" ")[0].lower()
        if default is None and name in DEFAULTABLE:
            default = self._channel_default(interaction.channel_id)
        if not words and default is None:
            return None
        return cardnames.resolve(self.services.lookup.cards(), words, default[0] if default else None)

    def _default_now(self, channel_id: object) -> tuple[int, str] | None:
        """The channel's default card, read only while the database answers (never waits on it)."""
        return self._channel_default(channel_id) if self.services.healthy() else None

    def _channel_default(self, channel_id: object) -> tuple[int, str] | None:
        """The channel's default card (`use`): id and name."""
        return self.services.store.defaults.get(channel_id) if isinstance(channel_id, str) and channel_id else None

    def _answer(self, interaction: Interaction, route: Listener, message: Message, text: str) -> None:
        interaction.reply(message)
        if interaction.view_id:
            self.services.slack.views_update(view_id=interaction.view_id,
                                             view=error_modal(route.modal_title or "Loyalty", text))


def register(app: App, services: Services, router: Router, listeners: Sequence[Listener]) -> None:
    """Wire one registration table into `app` (subcommands into `router`), in the table's order."""
    for listener in listeners:
        if listener.kind == "subcommand":
            router.add(listener)
        elif listener.kind == "action":
            app.action(listener.id)(_on_click(services, listener))
        elif listener.kind == "shortcut":
            app.shortcut(listener.id)(_on_click(services, listener))
        elif listener.kind == "submission":
            app.view(listener.id)(_on_submit(services, listener))
        else:
            app.event(listener.id)(_on_event(services, listener))


def _defer(services: Services, listener: Listener, interaction: Interaction, value: Any) -> None:
    """Run the listener's function in the worker, after checking the role it needs."""

    def run() -> None:
        if listener.role is not None:
            services.access.require(interaction.user_id, listener.role)
        listener.run(services, interaction, value)

    if listener.modal_title:
        defer_with_modal(services, interaction, listener.modal_title, run)
    else:
        services.defer(interaction, run)


def _on_click(services: Services, listener: Listener) -> Callable[..., None]:
    """A button, menu or shortcut: ack, then (in the worker) check the role and run with the payload."""

    def listen(ack: Ack, body: dict[str, Any], payload: dict[str, Any], client: WebClient,
               respond: Respond) -> None:
        ack()
        name = str(payload.get("action_id") or payload.get("callback_id") or "")
        _defer(services, listener, Interaction.from_body(body, client, respond, name=name), payload)

    return listen


def _on_submit(services: Services, listener: Listener) -> Callable[..., None]:
    """A modal submission: `read` answers in the ack; an accepted form runs in the worker."""
    read = listener.read
    if read is None:
        raise TypeError(f"submission {listener.id} needs a read function")

    def listen(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        answer = read(FormValues(view, phone_region=services.settings.loyalty_phone_region))
        if isinstance(answer, dict):
            ack(response_action="errors", errors=answer)
            return
        if isinstance(answer, View):
            ack(response_action="update", view=answer)
            return
        ack(response_action="update", view=answer.working)
        interaction = Interaction.from_body(body, client, None, name=str(listener.id))
        if answer.channel_id:
            interaction.channel_id = answer.channel_id
        _defer(services, listener, interaction, answer.value)

    return listen


def _on_event(services: Services, listener: Listener) -> Callable[..., None]:
    """An Events API event (Bolt acks it): run in the worker for the user it names."""

    def listen(event: dict[str, Any], client: WebClient) -> None:
        interaction = Interaction(user_id=str(event.get("user") or ""), client=client, name=str(listener.id))
        _defer(services, listener, interaction, event)

    return listen


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


def pick_member(services: Services, interaction: Interaction, card: Card, ref: str, title: str) -> Member | None:
    """The one member `ref` names; when several match, list them in the conversation and return None."""
    try:
        return services.lookup.member(card, ref)
    except SeveralMembers as many:
        interaction.reply(member_choices_message(many.card, many.members, many.query))
        if interaction.view_id:
            services.slack.views_update(view_id=interaction.view_id,
                                        view=error_modal(title, several_members_text(len(many.members), ref)))
        return None


def clicked_member(services: Services, action: dict[str, Any]) -> tuple[Card, Member]:
    """The card and member a member button names (value `"<card_id>:<member_id>"`), freshly read."""
    ref = ids.parse_member_ref(action.get("value"))
    if ref is None:
        raise UserError(OUT_OF_DATE)
    return services.lookup.member_by_id(*ref)
