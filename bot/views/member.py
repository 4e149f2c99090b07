"""`/loyalty member`: one member's card — contact, stamps, rewards, custom fields, wallet link and actions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.coupontools.models import Card, Member, Reward
from bot.views import ids
from bot.views.common import (
    SECTION_TEXT,
    Message,
    button,
    code,
    escape,
    fallback,
    format_date,
    format_time,
    header,
    inline,
    plural,
    section,
)

OUT_OF_DATE = "That form or button is out of date. Look the member up again with `/loyalty member`."

REWARD_LINES = 10
"""Rewards listed per group (available / used / expired) before the rest is summarised."""
REWARD_NAME = 150
VALUE = 1800
"""Room for one field's value, leaving space for its label within Slack's 2,000 characters."""
URL_MAX = 1500

_SAFE_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)


def _field(label: str, value: str) -> str:
    return f"*{label}*\n{value}"


def _summary(card: Card, member: Member, now: datetime) -> list[str]:
    fields = [
        _field("Card", inline(card.display_name, VALUE)),
        _field("Member id", str(member.id)),
        _field("Code", code(member.code, VALUE) if member.code else "–"),
    ]
    if member.stamps is not None:
        fields.append(_field("Stamps", str(member.stamps)))
    if member.created_at:
        fields.append(_field("Member since", format_time(member.created_at)))
    if member.expired_at:
        label = "Card expired" if member.expired_at <= now else "Card expires"
        fields.append(_field(label, format_time(member.expired_at)))
    return fields


def _contact(member: Member) -> list[str]:
    fields = []
    if member.email:
        fields.append(_field("Email", inline(member.email, VALUE)))
    if member.phone:
        fields.append(_field("Phone", inline(member.phone, VALUE)))
    place = " ".join(part for part in (member.zip, member.city) if part)
    address = [inline(part, VALUE // 2) for part in (member.address, place) if part and part.strip()]
    if address:
        fields.append(_field("Address", "\n".join(address)))
    return fields


def _reward_lines(title: str, rewards: Sequence[Reward], describe: Callable[[Reward], str]) -> str:
    """A titled list of rewards, cut at REWARD_LINES or Slack's section length, saying how many were left out."""
    lines = [f"*{title} ({len(rewards)})*"]
    size = len(lines[0])
    reserve = 40  # room for the "…and N more" line
    for shown, reward in enumerate(rewards):
        name = inline(reward.name or f"Reward {reward.id}", REWARD_NAME)
        line = f"• {name} — {describe(reward)}"
        if shown == REWARD_LINES or size + len(line) + 1 > SECTION_TEXT - reserve:
            lines.append(f"…and {len(rewards) - shown} more")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def _available(reward: Reward) -> str:
    parts = [f"earned {format_date(reward.added_at)}" if reward.added_at else "earned"]
    parts.append(f"expires {format_time(reward.expired_at)}" if reward.expired_at else "does not expire")
    return ", ".join(parts)


def _used(reward: Reward) -> str:
    return f"used {format_time(reward.used_at)}" if reward.used_at else "used"


def _expired(reward: Reward) -> str:
    return f"expired {format_time(reward.expired_at)}" if reward.expired_at else "expired"


def _rewards(member: Member, now: datetime) -> list[Block]:
    groups = (
        ("Available rewards", member.available_rewards(now), _available),
        ("Used rewards", member.used_rewards(), _used),
        ("Expired rewards", member.expired_rewards(now), _expired),
    )
    blocks: list[Block] = [
        section(_reward_lines(title, rewards, describe)) for title, rewards, describe in groups if rewards
    ]
    return blocks or [section("*Rewards*\nNone yet.")]


def _custom(member: Member) -> list[str]:
    return [
        _field(f"Custom {name.removeprefix('custom_')}", inline(value, VALUE))
        for name, value in member.custom_fields.items()
    ]


def wallet_link(url: str) -> str:
    """A mrkdwn link to the member's wallet card; only http(s) URLs become links, anything else is shown as text."""
    url = url.strip()
    if not _SAFE_URL.fullmatch(url) or len(url) > URL_MAX:
        return f"{code(url, 300)} (not a web address I can link to)"
    # `|` and `>` would end Slack's link syntax early, `<` could start another; `&` must be an entity.
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    return f"<{escape(safe)}|Open the wallet card>"


def member_actions(card: Card, member: Member, *, now: datetime | None = None) -> ActionsBlock:
    """The member's buttons, each valued `<card_id>:<member_id>`; nothing that a voided card cannot do."""
    value = ids.member_ref(card.id, member.id)
    buttons: list[ButtonElement] = []
    if not member.is_voided:
        if card.type != "membership":  # membership cards have no stamps to add
            buttons.append(button("Add stamp", ids.MEMBER_STAMP, value, style="primary"))
        if member.available_rewards(now):
            buttons.append(button("Redeem", ids.MEMBER_REDEEM, value))
    buttons.append(button("Edit", ids.MEMBER_EDIT, value))
    if not member.is_voided:
        buttons.append(button("Void", ids.MEMBER_VOID, value, style="danger"))
    buttons.append(button("Delete", ids.MEMBER_DELETE, value, style="danger"))
    return ActionsBlock(elements=buttons)


def member_blocks(card: Card, member: Member, *, now: datetime | None = None, actions: bool = True) -> list[Block]:
    """The member card's blocks (at most 12); `actions=False` leaves out the buttons."""
    now = now or datetime.now()
    blocks: list[Block] = [header(member.full_name)]
    if member.voided_at:
        blocks.append(section(
            f":no_entry: *VOIDED* on {format_time(member.voided_at)}. This card no longer collects stamps "
            "or rewards; it is kept for the record."
        ))
    blocks.append(section(fields=_summary(card, member, now)))
    contact = _contact(member)
    blocks.append(section(fields=contact) if contact else section("*Contact*\nNo contact details on file."))
    if member.rewards or member.stamps is not None:
        blocks += _rewards(member, now)
    custom = _custom(member)
    if custom:
        blocks.append(section(fields=custom))
    if member.download_url and member.download_url.strip():
        blocks.append(section(f"*Wallet card:* {wallet_link(member.download_url)}"))
    if actions:
        blocks.append(member_actions(card, member, now=now))
    return blocks


def member_message(card: Card, member: Member, *, now: datetime | None = None) -> Message:
    """One member's card with buttons to stamp, redeem, edit, void and delete."""
    status = " (voided)" if member.is_voided else ""
    stamps = f", {plural(member.stamps, 'stamp')}" if member.stamps is not None else ""
    text = f"{inline(member.full_name, 300)}{status}, member {member.id} of {inline(card.display_name, 300)}{stamps}"
    return Message(text=fallback(text), blocks=member_blocks(card, member, now=now))

