"""Pushes: who receives them, when one needs a second person's approval, and approving it exactly once.

A broadcast, or a targeted push to more members than LOYALTY_PUSH_APPROVAL_THRESHOLD, becomes an approval
request; an admin other than the requester approves it. Approving is the store's one conditional UPDATE, so
only one click anywhere sends the push. Slack messages about it are the handlers' business.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from bot.coupontools import Card, Member, PushResult
from bot.errors import UserError
from bot.interaction import Interaction
from bot.lookup import LookupProblem, SeveralMembers
from bot.services import Services
from bot.store import Approval, Outcome

log = logging.getLogger(__name__)

APPROVAL_TTL = timedelta(hours=24)



def no_channel(threshold: int) -> str:
    """Why a push that needs approval is refused when there is nowhere to ask for it, and how to fix that."""
    return (
        "A push to every member, or to more than "
        f"{threshold} members with `--to`, needs a second person's approval, and no approvals channel is set "
        "up, so nothing was sent. An admin can set LOYALTY_APPROVALS_CHANNEL to the id of a channel (like "
        "C0123ABCD) that the bot is a member of, then restart the bot."
    )


def resolve_recipients(services: Services, card: Card, refs: Sequence[str]) -> list[Member]:
    """The members `refs` name, each resolved like `<member>`; any unknown or ambiguous one stops the push."""
    members: dict[int, Member] = {}
    for ref in refs:
        try:
            member = services.lookup.member(card, ref)
        except SeveralMembers as many:
            raise UserError(
                f"`{ref}` matches {len(many.members)} members of {card.display_name}, so nothing was sent. "
                "Use their member id in `--to` instead."
            ) from None
        except LookupProblem as problem:
            raise UserError(f"Nothing was sent. {problem.message}") from None
        members.setdefault(member.id, member)
    return list(members.values())


def needs_approval(services: Services, recipients: Sequence[Member] | None) -> bool:
    """A broadcast always does; a targeted push when it reaches more members than the threshold."""
    return recipients is None or len(recipients) > services.settings.loyalty_push_approval_threshold


def request(
    services: Services, interaction: Interaction, card: Card, message: str, recipients: Sequence[Member] | None
) -> Approval:
    """Store a pending approval for the push (counting a broadcast's recipients through the API)."""
    if not services.settings.loyalty_approvals_channel:
        raise UserError(no_channel(services.settings.loyalty_push_approval_threshold))
    if recipients is not None and not recipients:
        raise ValueError("a targeted push needs at least one recipient")
    count = len(recipients) if recipients is not None else services.loyalty.count_members(card.id)
    if count == 0:
        raise UserError(f"{card.display_name} has no members to send a push to, so nothing was sent.")
    store = services.store.approvals
    approval_id = store.create(
        card_id=card.id, message=message,
        recipient_ids=None if recipients is None else [member.id for member in recipients],
        recipient_count=count, requester=interaction.user_id, team_id=interaction.team_id,
        channel_id=interaction.channel_id or interaction.user_id, ttl=APPROVAL_TTL,
    )
    return _get(services, approval_id)


def _get(services: Services, approval_id: str) -> Approval:
    approval = services.store.approvals.get(approval_id)
    if approval is None:  # we hold its id because we wrote it: only a broken database loses it
        raise RuntimeError(f"approval {approval_id} vanished")
    return approval


NotDoneReason = Literal["missing", "own", "not_requester", "expired", "closed"]


@dataclass(frozen=True)
class NotDone:
    """This click changed nothing. `approval` (as it now stands) says what did happen to it, if anything."""

    reason: NotDoneReason
    approval: Approval | None = None


@dataclass(frozen=True)
class Sent:
    """This click approved the push and sent it; `outcome` says how the API call ended."""

    approval: Approval
    outcome: Outcome
    result: PushResult | None = None
    error: BaseException | None = None


def _not_done(services: Services, approval: Approval) -> NotDone:
    latest = services.store.approvals.get(approval.id) or approval
    expired = latest.state == "expired" or (latest.state == "pending" and not latest.is_open())
    return NotDone("expired" if expired else "closed", latest)


def approve(services: Services, interaction: Interaction, approval_id: str) -> Sent | NotDone:
    """Approve and send the push, if this click is the one that claims it. The caller checked the admin role."""
    approval = services.store.approvals.get(approval_id)
    if approval is None:
        return NotDone("missing")
    if approval.requester == interaction.user_id:
        return NotDone("own", approval)
    claimed = services.store.approvals.claim(approval.id, approver=interaction.user_id)
    if claimed is None:
        return _not_done(services, approval)
    return _send(services, interaction, claimed)


def _send(services: Services, interaction: Interaction, approval: Approval) -> Sent:
    # None means everyone; a stored list is never empty (request() refuses that), and the client refuses one too.
    recipients = None if approval.recipient_ids is None else list(approval.recipient_ids)
    params: dict[str, Any] = {"approval": approval.id, "recipients": approval.recipient_count,
                              "broadcast": recipients is None, "length": len(approval.message)}
    attempt = services.changes.attempt(
        interaction, "push", lambda: services.loyalty.push(approval.card_id, approval.message, recipients),
        card_id=approval.card_id, member_ids=recipients or [], params=params,
    )
    try:
        services.store.approvals.finish(
            approval.id, attempt.outcome, attempt.detail,
            total_recipients=attempt.result.total_recipients if attempt.result else None,
        )
    except Exception:
        # It stays "executing": never approvable again, so the push cannot go out twice.
        log.exception("could not record how approval %s ended", approval.id)
    return Sent(services.store.approvals.get(approval.id) or approval, attempt.outcome, attempt.result,
                attempt.error)


def reject(services: Services, interaction: Interaction, approval_id: str, reason: str | None) -> Approval | NotDone:
    """Reject the push if it is still open; the caller checked the admin role."""
    approval = services.store.approvals.get(approval_id)
    if approval is None:
        return NotDone("missing")
    rejected = services.store.approvals.reject(approval.id, by=interaction.user_id, reason=reason)
    return rejected if rejected is not None else _not_done(services, approval)


def cancel(services: Services, interaction: Interaction, approval_id: str) -> Approval | NotDone:
    """Withdraw the push: only the person who asked for it, and only while it is open."""
    approval = services.store.approvals.get(approval_id)
    if approval is None:
        return NotDone("missing")
    if approval.requester != interaction.user_id:
        return NotDone("not_requester", approval)
    cancelled = services.store.approvals.cancel(approval.id, by=interaction.user_id)
    return cancelled if cancelled is not None else _not_done(services, approval)


def withdraw(services: Services, approval: Approval) -> None:
    """Close a request that could not be posted, so it can never be approved unseen."""
    services.store.approvals.cancel(approval.id, by=approval.requester)
