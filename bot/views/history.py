"""`/loyalty history`: a member's changes made through the app, newest first, beside the API's counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block

from bot.coupontools.models import Card, Member
from bot.store import AuditEntry
from bot.views import ids
from bot.views.approvals import mention, when
from bot.views.common import Message, button, context, escape, fallback, header, inline, plural, section

PAGE_SIZE = 10
NAME = 150
OUT_OF_DATE = "That button is out of date. Run `/loyalty history` again."

_OUTCOME = {"failed": ":x: failed", "unknown": ":warning: outcome unknown",
            "pending": ":hourglass_flowing_sand: pending"}
_VERSION = "h1"
_NUMBER = r"(0|[1-9][0-9]{0,17})"
_PAGE = re.compile(f"{_VERSION}\\|{_NUMBER}\\|{_NUMBER}\\|{_NUMBER}")


@dataclass(frozen=True)
class HistoryPage:
    """Which changes a page shows: one member's, older than `before_id`."""

    card_id: int
    member_id: int
    before_id: int

    def encode(self) -> str:
        """A button value, `h1|<card id>|<member id>|<before id>`."""
        return f"{_VERSION}|{self.card_id}|{self.member_id}|{self.before_id}"

    @classmethod
    def decode(cls, value: object) -> HistoryPage | None:
        """The page a button carried, or None for anything `encode` did not write."""
        match = _PAGE.fullmatch(value) if isinstance(value, str) else None
        return cls(*(int(part) for part in match.groups())) if match else None


def _count(params: dict[str, Any], key: str) -> int | None:
    value = params.get(key)
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def change_words(entry: AuditEntry) -> str:
    """What one recorded change did, in words; edits name the fields changed, never their values."""
    params = entry.params
    if entry.action == "stamp":
        amount = _count(params, "amount")
        return f"added {plural(amount, 'stamp')}" if amount is not None else "added stamps"
    if entry.action == "redeem":
        rewards = _count(params, "reward_ids")
        return f"used {plural(rewards, 'reward')}" if rewards is not None else "used rewards"
    if entry.action in ("member.update", "member.create"):
        fields = params.get("fields")
        names = ", ".join(inline(str(name), 40) for name in fields) if isinstance(fields, list) else ""
        verb = "edited" if entry.action == "member.update" else "created the member with"
        return f"{verb} {names}" if names else verb.removesuffix(" with")
    if entry.action == "push":
        return "sent a push naming them"
    if entry.action == "void":
        return "voided the card"
    if entry.action == "delete":
        return "deleted the member"
    return escape(inline(entry.action, 64))


def history_line(entry: AuditEntry) -> str:
    """One change: when, who, what, and how it ended when it did not succeed."""
    line = f"`{when(entry.created_at)}` {mention(entry.actor)} {change_words(entry)}"
    return line + (f" · {_OUTCOME.get(entry.outcome, escape(entry.outcome))}" if entry.outcome != "ok" else "")


def _counts(member: Member, now: datetime) -> str:
    stamps = f"{plural(member.stamps, 'stamp')}, " if member.stamps is not None else ""
    return (f"*Now, says the loyalty service:* {stamps}rewards {len(member.available_rewards(now))} available, "
            f"{len(member.used_rewards())} used, {len(member.expired_rewards(now))} expired. "
            "Changes made elsewhere (the dashboard, the shop's app) are not listed here.")


def history_message(card: Card, member: Member, entries: Sequence[AuditEntry], *, older: bool,
                    now: datetime | None = None) -> Message:
    """A page of the member's history (`entries` may hold one more than a page: then More is offered)."""
    now = now or datetime.now()
    name = inline(member.full_name, NAME)
    blocks: list[Block] = [
        header(f"{'Older changes' if older else 'History'}: {member.full_name}"),
        context(f"Member {member.id} of {inline(card.display_name, NAME)}"),
        section(_counts(member, now)),
    ]
    shown = list(entries[:PAGE_SIZE])
    if shown:
        blocks.append(section("\n".join(history_line(entry) for entry in shown)))
    else:
        blocks.append(section(f"No {'older ' if older else ''}changes to {name} were made through this app."))
    if len(entries) > PAGE_SIZE:
        page = HistoryPage(card.id, member.id, shown[-1].id)
        blocks.append(ActionsBlock(elements=[button("Older", ids.HISTORY_MORE, page.encode())]))
    return Message(text=fallback(f"History of {name}: {plural(len(shown), 'change')}"), blocks=blocks)
