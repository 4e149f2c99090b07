"""Pushes: who receives them, when one needs a second person's approval, and sending an approved one.

A broadcast, or a targeted push to more members than LOYALTY_PUSH_APPROVAL_THRESHOLD, becomes an approval
request held for a click (`bot.held`); an admin other than the requester approves it, and only the one click
that claims it sends the push. Slack messages about it are the handlers' business.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from slack_sdk.errors import SlackClientError

from bot import held
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
    services: Services, interaction: Interaction, card: Card, message: str, recipients: Sequence[Member] | None
) -> HeldChange:
    """Hold the push for approval (counting a broadcast's recipients through the API)."""
    if not services.settings.loyalty_approvals_channel:
        raise UserError(no_channel(services.settings.loyalty_push_approval_threshold))
    if recipients is not None and not recipients:
        raise ValueError("a targeted push needs at least one recipient")
    count = len(recipients) if recipients is not None else services.loyalty.count_members(card.id)
    if count == 0:
        raise UserError(f"{card.display_name} has no members to send a push to, so nothing was sent.")
    recipient_ids = None if recipients is None else member_id_list([m.id for m in recipients], "recipient_ids")
    return services.store.held.create(
        kind="approval", action="push",
        params={"card_id": card.id, "message": message, "recipient_ids": recipient_ids, "recipient_count": count},
        requester=interaction.user_id, team_id=interaction.team_id,
        channel_id=interaction.channel_id or interaction.user_id, ttl=APPROVAL_TTL,
    )


def approve(services: Services, interaction: Interaction, approval_id: str) -> HeldChange | held.NotDone:
    """Approve: claim the request for this click, if it is the one that wins; the caller checked the admin role
    and `held.start`s the job that sends the push."""
    return held.click(services, interaction, approval_id, "approval", "claim")


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
