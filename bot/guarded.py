"""Confirmations: a change that cannot be undone waits for its button, then runs at most once.

The flow is ask → click → claim → execute → finish. The store's `claim` is one conditional UPDATE, so of any
number of clicks on any number of processes exactly one gets to call the API; a claimed confirmation never
becomes pending again, so a crash mid-call leaves it finished ("unknown"), never executable a second time.
Nothing here knows about Slack listeners: handlers decode the click and render what these functions return.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from bot.access import Role
from bot.coupontools import Card, Member, PushResult
from bot.interaction import Interaction
from bot.services import Services
from bot.store import Confirmation, Outcome

log = logging.getLogger(__name__)

Action = Literal["void", "delete", "push"]

CONFIRMATION_TTL = timedelta(minutes=15)
ROLE_FOR: dict[str, Role] = {"void": Role.ADMIN, "delete": Role.ADMIN, "push": Role.OPERATOR}
"""Who may click a confirmation, by action: checked again at the click, whatever the role was when asked."""


@dataclass(frozen=True)
class Target:
    """A member an action is aimed at: the id the API needs and the name people recognise."""

    id: int
    name: str


@dataclass(frozen=True)
class Plan:
    """What a confirmation will do once clicked; stored with it, so any process can carry it out."""

    action: Action
    card_id: int
    card_name: str
    members: tuple[Target, ...]
    message: str | None = None

    @property
    def member_ids(self) -> list[int]:
        return [member.id for member in self.members]

    def to_params(self) -> dict[str, Any]:
        """The confirmation's stored parameters."""
        params: dict[str, Any] = {
            "card_id": self.card_id,
            "card_name": self.card_name,
            "members": [[member.id, member.name] for member in self.members],
        }
        if self.message is not None:
            params["message"] = self.message
        return params

    @classmethod
    def from_confirmation(cls, confirmation: Confirmation) -> Plan | None:
        """The plan a stored confirmation carries, or None when it is not one this code wrote."""
        params = confirmation.params
        try:
            members = tuple(Target(int(member_id), str(name)) for member_id, name in params["members"])
            plan = cls(
                action=confirmation.action,  # type: ignore[arg-type]
                card_id=int(params["card_id"]),
                card_name=str(params["card_name"]),
                members=members,
                message=None if params.get("message") is None else str(params["message"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if plan.action not in ROLE_FOR or not plan.members or (plan.action == "push") != (plan.message is not None):
            return None
        return plan


def member_plan(action: Literal["void", "delete"], card: Card, member: Member) -> Plan:
    """The plan to void or delete one member."""
    return Plan(action, card.id, card.display_name, (Target(member.id, member.full_name),))


def push_plan(card: Card, message: str, members: list[Member]) -> Plan:
    """The plan to push `message` to the given members (never an empty list: that would reach everyone)."""
    if not members:
        raise ValueError("a targeted push needs at least one recipient")
    return Plan("push", card.id, card.display_name, tuple(Target(m.id, m.full_name) for m in members), message)


def ask(services: Services, interaction: Interaction, plan: Plan) -> Confirmation:
    """Store a pending confirmation of `plan` for the person asking; nothing is sent to the API yet."""
    store = services.store.confirmations
    confirmation_id = store.create(
        action=plan.action, params=plan.to_params(), requester=interaction.user_id,
        team_id=interaction.team_id, channel_id=interaction.channel_id, ttl=CONFIRMATION_TTL,
    )
    created = store.get(confirmation_id)
    if created is None:  # we just wrote it: only a broken database loses it
        raise RuntimeError("a confirmation vanished right after it was stored")
    return created


NotRunReason = Literal["missing", "not_yours", "expired", "cancelled", "executing", "finished"]


@dataclass(frozen=True)
class NotRun:
    """This click changed nothing; `reason` says why (someone else's click won, it expired, …)."""

    reason: NotRunReason
    confirmation: Confirmation | None = None
    plan: Plan | None = None


@dataclass(frozen=True)
class Executed:
    """This click won the claim and called the API; `outcome` says how that ended."""

    plan: Plan
    outcome: Outcome
    result: Member | PushResult | None = None
    error: BaseException | None = None


@dataclass(frozen=True)
class Cancelled:
    plan: Plan


def why_not(confirmation: Confirmation) -> NotRunReason:
    """Why a confirmation can no longer be claimed."""
    if confirmation.state in ("pending", "expired"):
        return "expired"
    if confirmation.state == "cancelled":
        return "cancelled"
    if confirmation.state == "executing":
        return "executing"
    return "finished"


def _load(services: Services, interaction: Interaction, confirmation_id: str) -> NotRun | tuple[Confirmation, Plan]:
    """The confirmation and its plan, after checking the clicker's role now and that it is theirs."""
    confirmation = services.store.confirmations.get(confirmation_id)
    plan = Plan.from_confirmation(confirmation) if confirmation else None
    if confirmation is None or plan is None:
        return NotRun("missing", confirmation)
    services.access.require(interaction.user_id, ROLE_FOR[plan.action])
    if confirmation.requester != interaction.user_id:
        # The confirmation was shown only to the person who asked: another clicker is replaying it.
        return NotRun("not_yours", confirmation, plan)
    return confirmation, plan


def confirm(services: Services, interaction: Interaction, confirmation_id: str) -> Executed | NotRun:
    """The confirm button: claim the confirmation and, only if this click won, carry out its plan.

    Raises AccessDenied when the clicker's role (checked now) does not allow the action.
    """
    loaded = _load(services, interaction, confirmation_id)
    if isinstance(loaded, NotRun):
        return loaded
    confirmation, plan = loaded
    store = services.store.confirmations
    if store.claim(confirmation.id) is None:
        latest = store.get(confirmation.id) or confirmation
        return NotRun(why_not(latest), latest, plan)
    return _execute(services, interaction, confirmation.id, plan)


def cancel(services: Services, interaction: Interaction, confirmation_id: str) -> Cancelled | NotRun:
    """The cancel button: close the confirmation without calling the API, if it is still open."""
    loaded = _load(services, interaction, confirmation_id)
    if isinstance(loaded, NotRun):
        return loaded
    confirmation, plan = loaded
    store = services.store.confirmations
    if not store.cancel(confirmation.id, by=interaction.user_id):
        latest = store.get(confirmation.id) or confirmation
        return NotRun(why_not(latest), latest, plan)
    return Cancelled(plan)


def _call(services: Services, plan: Plan) -> Member | PushResult | None:
    loyalty = services.loyalty
    if plan.action == "void":
        return loyalty.void_member(plan.card_id, plan.members[0].id)
    if plan.action == "delete":
        loyalty.delete_member(plan.card_id, plan.members[0].id)
        return None
    # from_confirmation guarantees members, so this never sends an empty recipient list (= everyone)
    return loyalty.push(plan.card_id, plan.message or "", plan.member_ids)


def _execute(services: Services, interaction: Interaction, confirmation_id: str, plan: Plan) -> Executed:
    """Run the claimed plan through the audited path and leave the confirmation finished, whatever happens."""
    params: dict[str, Any] = {"confirmation": confirmation_id}
    if plan.action == "push":
        params.update(recipients=len(plan.members), length=len(plan.message or ""))
    attempt = services.changes.attempt(
        interaction, plan.action, lambda: _call(services, plan),
        card_id=plan.card_id, member_ids=plan.member_ids, params=params,
    )
    _finish(services, confirmation_id, attempt.outcome, attempt.detail)
    return Executed(plan, attempt.outcome, attempt.result, attempt.error)


def _finish(services: Services, confirmation_id: str, outcome: Outcome, detail: str | None) -> None:
    try:
        services.store.confirmations.finish(confirmation_id, outcome, detail)
    except Exception:
        # It stays "executing": still never claimable again, so nothing can run twice.
        log.exception("could not record how confirmation %s ended", confirmation_id)
