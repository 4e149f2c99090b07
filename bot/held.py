"""Changes held for a click: a confirmation the asker clicks, or an approval a second person clicks.

The flow is hold → click → claim → job (bot.jobs.held) → sent → finish. The store's `claim` is one conditional
UPDATE, so of any number of clicks on any number of processes exactly one starts the job; a claimed change never
becomes pending again, and the job marks it sent (committed) before the API call, so a crash mid-call leaves it
to be settled "unknown" by the resumed job, never sent a second time. A scheduled push's job waits for its time.
Who may click what is decided here, once (`refusal`). Nothing here knows about Slack listeners: handlers
decode the click and render what these functions return.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, TypeVar

from bot.access import Role
from bot.coupontools import Card, Member, PushResult
from bot.interaction import Interaction
from bot.services import Services
from bot.store import HeldChange, Outcome
from bot.store.models.records import Kind

log = logging.getLogger(__name__)

Action = Literal["void", "delete", "push", "stamp"]
Move = Literal["claim", "cancel", "reject"]

CONFIRMATION_TTL = timedelta(minutes=15)
ROLE_FOR: dict[str, Role] = {"void": Role.ADMIN, "delete": Role.ADMIN, "push": Role.OPERATOR, "stamp": Role.OPERATOR}
"""Who may click a confirmation, by action: checked again at the click, whatever the role was when asked."""

NotDoneReason = Literal["missing", "not_yours", "own", "expired", "cancelled", "rejected", "executing", "finished"]

R = TypeVar("R")


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
    amount: int | None = None
    """Stamps only: how many."""
    had: tuple[int, ...] = ()
    """Stamps only: the member's reward ids when asked, so the outcome can name the rewards just earned."""
    send_at: datetime | None = None
    """A scheduled push: when it goes out once confirmed (None: at once)."""

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
        if self.amount is not None:
            params.update(amount=self.amount, had=list(self.had))
        if self.send_at is not None:
            params["send_at"] = self.send_at.isoformat()
        return params

    @classmethod
    def of(cls, held: HeldChange) -> Plan | None:
        """The plan a stored confirmation carries, or None when it is not one this module wrote."""
        params = held.params
        try:
            members = tuple(Target(int(member_id), str(name)) for member_id, name in params["members"])
            plan = cls(
                action=held.action,  # type: ignore[arg-type]
                card_id=int(params["card_id"]),
                card_name=str(params["card_name"]),
                members=members,
                message=None if params.get("message") is None else str(params["message"]),
                amount=None if params.get("amount") is None else int(params["amount"]),
                had=tuple(int(reward_id) for reward_id in params.get("had") or ()),
                send_at=held.send_at,
            )
        except (KeyError, TypeError, ValueError):
            return None
        if plan.action not in ROLE_FOR or not plan.members or (plan.action == "push") != (plan.message is not None):
            return None
        if (plan.action == "stamp") != (plan.amount is not None and plan.amount > 0):
            return None
        return plan


@dataclass(frozen=True)
class NotDone:
    """This click changed nothing: `reason` says why; `held` (as it now stands) what did happen to it."""

    reason: NotDoneReason
    held: HeldChange | None = None
    plan: Plan | None = None


@dataclass(frozen=True)
class Ran(Generic[R]):
    """This click won the claim and called the API; `outcome` says how that ended."""

    held: HeldChange
    outcome: Outcome
    result: R | None = None
    error: BaseException | None = None


def refusal(held: HeldChange, user_id: str, move: Move) -> NotDoneReason | None:
    """Why `user_id` may not make `move` on `held`, or None when they may.

    A confirmation was shown only to the person who asked, so only they click it; an approval needs a
    second person, so anyone but the requester approves it (the role is checked at registration) and any
    admin may reject it; only the requester withdraws either.
    """
    if move == "reject":
        return None
    if move == "claim" and held.kind == "approval":
        return "own" if held.requester == user_id else None
    return None if held.requester == user_id else "not_yours"


_STILL_NAMED: dict[str, NotDoneReason] = {"cancelled": "cancelled", "rejected": "rejected", "executing": "executing"}


def why_not(held: HeldChange) -> NotDoneReason:
    """Why a change can no longer be claimed, cancelled or rejected."""
    if held.state in ("pending", "expired"):
        return "expired"
    return _STILL_NAMED.get(held.state, "finished")


def find(services: Services, held_id: str, kind: Kind) -> HeldChange | NotDone:
    """The held change of this kind, or NotDone("missing")."""
    held = services.store.held.get(held_id)
    if held is None or held.kind != kind:
        return NotDone("missing", held)
    return held


def move(
    services: Services, interaction: Interaction, held: HeldChange, to: Move, reason: str | None = None
) -> HeldChange | NotDone:
    """Claim, cancel or reject `held` for the clicker, if the rule lets them and it is still open."""
    refused = refusal(held, interaction.user_id, to)
    if refused is not None:
        return NotDone(refused, held)
    store = services.store.held
    if to == "claim":
        moved = store.claim(held.id, by=interaction.user_id)
    elif to == "cancel":
        moved = store.cancel(held.id, by=interaction.user_id)
    else:
        moved = store.reject(held.id, by=interaction.user_id, reason=reason)
    if moved is None:
        latest = store.get(held.id) or held
        return NotDone(why_not(latest), latest)
    return moved


def click(
    services: Services, interaction: Interaction, held_id: str, kind: Kind, to: Move, reason: str | None = None
) -> HeldChange | NotDone:
    """Find the held change of this kind a button carries, then `move` it for the clicker."""
    found = find(services, held_id, kind)
    return found if isinstance(found, NotDone) else move(services, interaction, found, to, reason)


def finish(
    services: Services, held_id: str, outcome: Outcome, detail: str | None, total_recipients: int | None = None
) -> None:
    """Record how a claimed change ended; a failure to record it is logged, never raised."""
    try:
        services.store.held.finish(held_id, outcome, detail, total_recipients=total_recipients)
    except Exception:
        # It stays "executing": still never claimable again, so nothing can run twice.
        log.exception("could not record how held change %s ended", held_id)


RESTARTED = "the bot restarted while sending"
"""The detail of a change found already sent by the job that carries it out: it is never sent again."""


class AlreadySent(RuntimeError):
    """Another run of the job sent this change's call already: this one must not send it."""


def run(
    services: Services, interaction: Interaction, held: HeldChange, action: str, call: Callable[[], R], *,
    card_id: int, member_ids: list[int], params: dict[str, Any], total: Callable[[R | None], int | None] | None = None,
) -> Ran[R]:
    """Carry out a claimed change through the audited path and leave it finished, whatever happens.

    The change is marked sent (committed) before the call, so a job interrupted with the call on the wire finds
    it so and never sends it again (`settle_interrupted`).
    """
    def sending(entry: int) -> None:
        if not services.store.held.mark_sending(held.id, audit_id=entry):
            raise AlreadySent(held.id)

    attempt = services.changes.attempt(interaction, action, call, card_id=card_id, member_ids=member_ids,
                                       params=params, before_call=sending)
    if isinstance(attempt.error, AlreadySent):
        return Ran(services.store.held.get(held.id) or held, "unknown", error=attempt.error)
    finish(services, held.id, attempt.outcome, attempt.detail, total(attempt.result) if total else None)
    return Ran(services.store.held.get(held.id) or held, attempt.outcome, attempt.result, attempt.error)


def settle_interrupted(services: Services, held: HeldChange) -> HeldChange:
    """A change whose call was sent by a run that never finished: recorded unknown, never sent again."""
    if held.audit_id is not None:
        try:
            services.store.audit.finish(held.audit_id, "unknown", RESTARTED)
        except Exception:
            log.exception("could not record the outcome of audit entry %s", held.audit_id)
    finish(services, held.id, "unknown", RESTARTED)
    return services.store.held.get(held.id) or held


def execute(services: Services, interaction: Interaction, claimed: HeldChange) -> Ran[Any]:
    """Carry out a claimed confirmation or approval (the durable job's step): its plan, audited, once."""
    if claimed.kind == "approval":
        # None means everyone; a stored list is never empty (pushes.request refuses that), nor does the client
        # send one.
        recipients = None if claimed.recipient_ids is None else list(claimed.recipient_ids)
        params: dict[str, Any] = {"approval": claimed.id, "recipients": claimed.recipient_count,
                                  "broadcast": recipients is None, "length": len(claimed.message)}
        return run(services, interaction, claimed, "push",
                   lambda: services.loyalty.push(claimed.card_id, claimed.message, recipients),
                   card_id=claimed.card_id, member_ids=recipients or [], params=params, total=_total)
    plan = Plan.of(claimed)
    if plan is None:
        raise ValueError(f"held change {claimed.id} is not a void, delete or push")
    params = {"confirmation": claimed.id}
    if plan.action == "push":
        params.update(recipients=len(plan.members), length=len(plan.message or ""))
    if plan.action == "stamp":
        params.update(amount=plan.amount)
    return run(services, interaction, claimed, plan.action, lambda: _call(services, plan),
               card_id=plan.card_id, member_ids=plan.member_ids, params=params, total=_total)


def _total(result: object) -> int | None:
    total = getattr(result, "total_recipients", None)
    return total if isinstance(total, int) else None


def start(interaction: Interaction, claimed: HeldChange) -> None:
    """Hand a claimed change to its durable job (under the change's id: a second start attaches to the first).

    If this fails after the claim, upkeep finds the change executing with no job and starts it
    (`bot.jobs.held.resume`)."""
    from bot.jobs import held as held_jobs

    held_jobs.enqueue(claimed.id, interaction.request_id, response_url_of(interaction), send_at=claimed.send_at)


def response_url_of(interaction: Interaction) -> str | None:
    """Where the clicked message can be replaced from elsewhere (a job), if Slack gave one."""
    url = getattr(interaction.respond, "response_url", None)
    return url if isinstance(url, str) and url else None


def member_plan(action: Literal["void", "delete"], card: Card, member: Member) -> Plan:
    """The plan to void or delete one member."""
    return Plan(action, card.id, card.display_name, (Target(member.id, member.full_name),))


def stamp_plan(card: Card, member: Member, amount: int) -> Plan:
    """The plan to add `amount` stamps to one member."""
    return Plan("stamp", card.id, card.display_name, (Target(member.id, member.full_name),), amount=amount,
                had=tuple(reward.id for reward in member.rewards))


def push_plan(card: Card, message: str, members: list[Member], send_at: datetime | None = None) -> Plan:
    """The plan to push `message` to the given members (never an empty list: that would reach everyone), at
    `send_at` when scheduled."""
    if not members:
        raise ValueError("a targeted push needs at least one recipient")
    return Plan("push", card.id, card.display_name, tuple(Target(m.id, m.full_name) for m in members), message,
                send_at=send_at)


def hold(services: Services, interaction: Interaction, action: str, params: dict[str, Any]) -> HeldChange:
    """Hold a confirmation for the person asking; nothing is sent to the API until they click."""
    return services.store.held.create(
        kind="confirmation", action=action, params=params, requester=interaction.user_id,
        team_id=interaction.team_id, channel_id=interaction.channel_id, ttl=CONFIRMATION_TTL,
    )


def ask(services: Services, interaction: Interaction, plan: Plan) -> HeldChange:
    """Hold a confirmation of `plan` for the person asking."""
    return hold(services, interaction, plan.action, plan.to_params())


def _confirmation(services: Services, interaction: Interaction, held_id: str) -> tuple[HeldChange, Plan] | NotDone:
    """The confirmation and its plan, after checking the clicker's role now."""
    found = find(services, held_id, "confirmation")
    if isinstance(found, NotDone):
        return found
    plan = Plan.of(found)
    if plan is None:
        return NotDone("missing", found)
    services.access.require(interaction.user_id, ROLE_FOR[plan.action])
    return found, plan


def confirm(services: Services, interaction: Interaction, held_id: str) -> tuple[HeldChange, Plan] | NotDone:
    """The confirm button: claim the confirmation; only the click that won gets it back, to `start` its job.

    Raises AccessDenied when the clicker's role (checked now) does not allow the action.
    """
    found = _confirmation(services, interaction, held_id)
    if isinstance(found, NotDone):
        return found
    held, plan = found
    claimed = move(services, interaction, held, "claim")
    if isinstance(claimed, NotDone):
        return NotDone(claimed.reason, claimed.held, plan)
    return claimed, plan


def cancel(services: Services, interaction: Interaction, held_id: str) -> Plan | NotDone:
    """The cancel button: close the confirmation without calling the API, if it is still open."""
    found = _confirmation(services, interaction, held_id)
    if isinstance(found, NotDone):
        return found
    held, plan = found
    cancelled = move(services, interaction, held, "cancel")
    return NotDone(cancelled.reason, cancelled.held, plan) if isinstance(cancelled, NotDone) else plan


def _call(services: Services, plan: Plan) -> Member | PushResult | None:
    loyalty = services.loyalty
    if plan.action == "void":
        return loyalty.void_member(plan.card_id, plan.members[0].id)
    if plan.action == "delete":
        loyalty.delete_member(plan.card_id, plan.members[0].id)
        return None
    if plan.action == "stamp":
        return loyalty.add_stamps(plan.card_id, plan.members[0].id, plan.amount or 1)
    # Plan.of guarantees members, so this never sends an empty recipient list (= everyone)
    return loyalty.push(plan.card_id, plan.message or "", plan.member_ids)
