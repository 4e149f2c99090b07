"""Pushes: who receives them, when one needs a second person's approval, and sending an approved one.

A broadcast, or a targeted push to more members than LOYALTY_PUSH_APPROVAL_THRESHOLD, becomes an approval
request held for a click (`bot.held`); an admin other than the requester approves it, and only the one click
that claims it starts the job that sends the push (at its time, when scheduled with `--at`). Slack messages
about it are the handlers' business, and the job's (bot.jobs.held) once it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk.errors import SlackClientError

from bot import held, schedule
from bot.access import Role
from bot.coupontools import Card, Member
from bot.errors import UserError
from bot.interaction import Interaction
from bot.lookup import LookupProblem, SeveralMembers
from bot.services import Services
from bot.store import HeldChange
from bot.store.params import member_id_list
from bot.views.approvals import approval_message, requester_notice
from bot.views.common import Message

APPROVAL_TTL = timedelta(hours=24)

log = logging.getLogger(__name__)


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
    services: Services, interaction: Interaction, card: Card, message: str, recipients: Sequence[Member] | None,
    send_at: datetime | None = None,
) -> HeldChange:
    """Hold the push for approval (counting a broadcast's recipients through the API); a scheduled one waits
    for its approval until a day after its time."""
    if not services.settings.loyalty_approvals_channel:
        raise UserError(no_channel(services.settings.loyalty_push_approval_threshold))
    if recipients is not None and not recipients:
        raise ValueError("a targeted push needs at least one recipient")
    count = len(recipients) if recipients is not None else services.loyalty.count_members(card.id)
    if count == 0:
        raise UserError(f"{card.display_name} has no members to send a push to, so nothing was sent.")
    recipient_ids = None if recipients is None else member_id_list([m.id for m in recipients], "recipient_ids")
    params: dict[str, object] = {"card_id": card.id, "message": message, "recipient_ids": recipient_ids,
                                 "recipient_count": count}
    ttl = APPROVAL_TTL
    if send_at is not None:
        params["send_at"] = send_at.isoformat()
        ttl += max(timedelta(0), send_at - datetime.now(UTC))
    return services.store.held.create(
        kind="approval", action="push", params=params, requester=interaction.user_id, team_id=interaction.team_id,
        channel_id=interaction.channel_id or interaction.user_id, ttl=ttl,
    )


def send_at(services: Services, interaction: Interaction, when: str | None) -> datetime | None:
    """The moment `--at` names on the requester's clock (their Slack timezone, from users.info), now."""
    if when is None:
        return None
    return schedule.resolve(when, timezone_of(services, interaction.user_id), datetime.now(UTC))


def timezone_of(services: Services, user_id: str) -> str | None:
    """The user's Slack timezone (IANA name), or None when Slack does not say."""
    try:
        tz = (services.slack.users_info(user=user_id).get("user") or {}).get("tz")
    except SlackClientError:
        log.info("users.info refused for a user; reading their time in UTC")
        return None
    return str(tz) if tz else None


@dataclass(frozen=True)
class Late:
    """An approval clicked after the time its push was scheduled for: the approver is asked whether to send now."""

    approval: HeldChange


def approve(services: Services, interaction: Interaction, approval_id: str, *,
            now_ok: bool = False) -> HeldChange | held.NotDone | Late:
    """Approve: claim the request for this click, if it is the one that wins; the caller checked the admin role
    and `held.start`s the job that sends the push. A scheduled push whose time has passed is claimed only when
    the approver said to send it now (`now_ok`)."""
    found = held.find(services, approval_id, "approval")
    if isinstance(found, held.NotDone):
        return found
    due = found.send_at is not None and found.send_at <= datetime.now(UTC)
    if due and not now_ok and found.is_open() and held.refusal(found, interaction.user_id, "claim") is None:
        return Late(found)
    return held.move(services, interaction, found, "claim")


def waiting(services: Services, card_id: int | None = None) -> list[HeldChange]:
    """Scheduled pushes not sent yet (waiting for approval or for their time), soonest first."""
    changes = [change for change in services.store.held.not_sent("push")
               if change.send_at is not None and (card_id is None or change.card_id == card_id)]
    return sorted(changes, key=lambda change: change.send_at or change.created_at)


def cancel_scheduled(services: Services, interaction: Interaction, held_id: str) -> HeldChange | held.NotDone:
    """Cancel a scheduled push not sent yet: its requester or an admin; its job is cancelled too."""
    change = services.store.held.get(held_id)
    if change is None or change.action != "push" or change.send_at is None:
        return held.NotDone("missing", change)
    if change.requester != interaction.user_id:
        services.access.require(interaction.user_id, Role.ADMIN)
    cancelled = services.store.held.withdraw(held_id, by=interaction.user_id)
    if cancelled is None:
        latest = services.store.held.get(held_id) or change
        return held.NotDone(held.why_not(latest), latest)
    if change.state == "executing":
        from bot.jobs import held as held_jobs

        held_jobs.cancel(held_id)
    if cancelled.kind == "approval":
        show_request(services, cancelled)
    return cancelled


def withdraw(services: Services, approval: HeldChange) -> None:
    """Close a request that could not be posted, so it can never be approved unseen."""
    services.store.held.cancel(approval.id, by=approval.requester)


def show_request(services: Services, approval: HeldChange, interaction: Interaction | None = None) -> None:
    """Make the request in the channel show where it stands (and drop its buttons once closed)."""
    channel = approval.message_channel_id or (interaction.channel_id if interaction else None)
    ts = approval.message_ts or (interaction.message_ts if interaction else None)
    if not channel or not ts:
        return
    try:
        services.slack.chat_update(channel=channel, ts=ts,
                                   **approval_message(approval, services.lookup.card_name(approval.card_id)).to_dict())
    except SlackClientError:
        log.warning("could not update the approval request %s", approval.id)


def tell_requester(services: Services, approval: HeldChange) -> None:
    """Privately, where they asked (else in a DM): what became of their push."""
    tell(services, approval.requester, approval.channel_id,
         requester_notice(approval, services.lookup.card_name(approval.card_id)), about=approval.id)


def tell(services: Services, user: str, channel_id: str | None, message: Message, *, about: str) -> None:
    """Privately: an ephemeral in the channel `user` asked from (else a DM); a failure is logged, never raised."""
    payload = message.to_dict()
    if channel_id and channel_id[:1] in ("C", "G"):
        try:
            services.slack.chat_postEphemeral(channel=channel_id, user=user, **payload)
            return
        except SlackClientError:
            log.info("could not tell the requester in the channel they asked from; trying a DM")
    try:
        services.slack.chat_postMessage(channel=user, **payload)
    except SlackClientError:
        log.warning("could not tell the requester what became of held change %s", about)
