"""A card's programme figures: members and rewards from the API (paged once, cached per card), stamps and
rewards used through the app from the audit log, and the chart drawn from them.

`figures_for` is the one call for a card's figures over any period (a weekly digest asks for 7 days);
`draw_chart` turns them into a PNG.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.coupontools import Card, CoupontoolsError, Member
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.paging import WHOLE_LIST_PAGE
from bot.errors import UserError
from bot.store.audit import AuditLog

WEEKS = 12
"""Weeks the chart shows."""
PAGE_SIZE = WHOLE_LIST_PAGE


@dataclass(frozen=True)
class MemberFigures:
    """What the API's member list says about a card, read at `as_of` (local time, as the API's)."""

    as_of: datetime
    live: int
    voided: int
    created: tuple[datetime, ...]
    """When each member joined (sorted), so any period's new members can be counted without a new read."""
    rewards_available: int
    rewards_used: int
    rewards_expired: int
    holding_reward: int
    one_stamp_away: int | None
    """None when the stamps a reward takes cannot be told from the members (see `stamps_per_reward`)."""

    def new_since(self, moment: datetime) -> int:
        return sum(1 for created in self.created if created >= moment)


@dataclass(frozen=True)
class CardFigures:
    """The figures `stats` shows for one card over the last `days` days."""

    card: Card
    days: int
    members: MemberFigures
    new_members: int
    stamps_given: int
    rewards_redeemed: int
    new_per_week: tuple[int, ...]
    stamps_per_week: tuple[int, ...]

    @property
    def redemption_rate(self) -> float | None:
        """Used rewards over every reward earned; None when none was earned."""
        earned = self.members.rewards_available + self.members.rewards_used + self.members.rewards_expired
        return self.members.rewards_used / earned if earned else None


class PagingFailed(UserError):
    """The API stopped answering part-way through the member list: no figures, rather than wrong ones."""

    def __init__(self, card: Card, read: int) -> None:
        super().__init__(f"The loyalty service stopped answering after {read} members of {card.display_name}, "
                         "so I show no figures (they would be incomplete). Try again in a minute.")


def stamps_per_reward(members: Iterable[tuple[int, int]]) -> int | None:
    """The stamps one reward takes, told from (stamps, rewards earned) pairs, or None when they disagree.

    The API does not publish it, but a member's stamps count up and a reward comes every N of them, so
    N * rewards <= stamps < N * (rewards + 1) for every member: the smallest N that fits them all.
    """
    low, high = 1, None
    for stamps, rewards in members:
        low = max(low, stamps // (rewards + 1) + 1)
        if rewards:
            high = stamps // rewards if high is None else min(high, stamps // rewards)
    return low if high is not None and low <= high else None


def read_members(loyalty: LoyaltyClient, card: Card, *, on_page: Callable[[int], None] | None = None,
                 now: datetime | None = None) -> MemberFigures:
    """Page through every member of the card (voided too) and count; `on_page(read so far)` after each page."""
    now = now or datetime.now()
    live = voided = available = used = expired = holding = 0
    created: list[datetime] = []
    stamp_counts: list[tuple[int, int]] = []
    read = 0
    try:
        for member in loyalty.iter_members(card.id, include_voided=True, page_size=PAGE_SIZE):
            read += 1
            if on_page is not None and read % PAGE_SIZE == 0:
                on_page(read)
            if member.is_voided:
                voided += 1
                continue
            live += 1
            if member.created_at is not None:
                created.append(member.created_at)
            mine = _rewards(member, now)
            available, used, expired = available + mine[0], used + mine[1], expired + mine[2]
            holding += mine[0] > 0
            if member.stamps is not None:
                stamp_counts.append((member.stamps, len(member.rewards)))
    except CoupontoolsError as exc:
        raise PagingFailed(card, read) from exc
    per_reward = stamps_per_reward(stamp_counts)
    one_away = (sum(1 for stamps, _ in stamp_counts if stamps % per_reward == per_reward - 1)
                if per_reward else None)
    return MemberFigures(now, live, voided, tuple(sorted(created)), available, used, expired, holding, one_away)


def _rewards(member: Member, now: datetime) -> tuple[int, int, int]:
    return len(member.available_rewards(now)), len(member.used_rewards()), len(member.expired_rewards(now))


class MemberCache:
    """Each card's member figures for `ttl` seconds, so a second `stats` within it makes no API call.

    Kept per process: a figure ten minutes old is what the reply says it is ("as of"), whichever process
    answers, and nothing is lost when a process restarts.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._figures: dict[int, tuple[float, MemberFigures]] = {}

    def get(self, card_id: int) -> MemberFigures | None:
        """The card's figures if read less than `ttl` seconds ago."""
        with self._lock:
            cached = self._figures.get(card_id)
            if cached is None or self._clock() - cached[0] >= self.ttl:
                return None
            return cached[1]

    def put(self, card_id: int, figures: MemberFigures) -> None:
        with self._lock:
            self._figures[card_id] = (self._clock(), figures)


def weekly_totals(moments: Iterable[tuple[datetime, int]], end: datetime) -> tuple[int, ...]:
    """Totals per week for the WEEKS weeks up to `end`, oldest first."""
    weeks = [0] * WEEKS
    for moment, amount in moments:
        back = (end - moment) // timedelta(weeks=1)
        if 0 <= back < WEEKS:
            weeks[WEEKS - 1 - back] += amount
    return tuple(weeks)


def card_figures(card: Card, days: int, members: MemberFigures, audit: AuditLog,
                 now: datetime | None = None) -> CardFigures:
    """The card's figures over the last `days` days: `members` from the API, the rest from the audit log."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    stamps: list[tuple[datetime, int]] = []
    redeemed = 0
    for entry in audit.between(min(since, now - timedelta(weeks=WEEKS)), now, card.id):
        if entry.outcome != "ok":
            continue
        if entry.action == "stamp":
            amount = entry.params.get("amount")
            stamps.append((entry.created_at, amount if isinstance(amount, int) else 0))
        elif entry.action == "redeem" and entry.created_at >= since:
            reward_ids = entry.params.get("reward_ids")
            redeemed += len(reward_ids) if isinstance(reward_ids, list) else 0
    local_since = members.as_of - timedelta(days=days)
    return CardFigures(
        card=card, days=days, members=members, new_members=members.new_since(local_since),
        stamps_given=sum(amount for moment, amount in stamps if moment >= since),
        rewards_redeemed=redeemed,
        new_per_week=weekly_totals(((created, 1) for created in members.created), members.as_of),
        stamps_per_week=weekly_totals(stamps, now),
    )


def figures_for(loyalty: LoyaltyClient, audit: AuditLog, cache: MemberCache, card: Card, days: int, *,
                on_page: Callable[[int], None] | None = None) -> CardFigures:
    """The card's figures over the last `days` days, its members read from `cache` or else paged from the API
    (then cached); `on_page` as for `read_members`. Raises PagingFailed rather than give partial figures."""
    return card_figures(card, days, cached_members(loyalty, cache, card, on_page=on_page), audit)


def cached_members(loyalty: LoyaltyClient, cache: MemberCache, card: Card, *,
                   on_page: Callable[[int], None] | None = None) -> MemberFigures:
    """The card's member figures from `cache`, or else paged from the API and cached."""
    members = cache.get(card.id)
    if members is None:
        members = read_members(loyalty, card, on_page=on_page)
        cache.put(card.id, members)
    return members


def draw_chart(figures: CardFigures) -> bytes:
    """A PNG: new members and stamps per week over 12 weeks, and rewards available / used / expired."""
    import matplotlib  # here, not at the top: only drawing a chart pays for importing it

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    chart = Figure(figsize=(10, 4), dpi=100)
    weekly, rewards = chart.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    labels = [f"-{WEEKS - 1 - week}w" if week < WEEKS - 1 else "this week" for week in range(WEEKS)]
    positions = range(WEEKS)
    weekly.bar([p - 0.2 for p in positions], figures.new_per_week, width=0.4, label="new members")
    weekly.bar([p + 0.2 for p in positions], figures.stamps_per_week, width=0.4, label="stamps (this app)")
    weekly.set_xticks(list(positions), labels, rotation=45, fontsize=7)
    weekly.set_title(f"{figures.card.display_name}: last {WEEKS} weeks")
    weekly.legend()
    counts = (figures.members.rewards_available, figures.members.rewards_used, figures.members.rewards_expired)
    rewards.bar(["available", "used", "expired"], counts, color=["tab:green", "tab:blue", "tab:gray"])
    rewards.set_title("Rewards")
    chart.tight_layout()
    out = io.BytesIO()
    chart.savefig(out, format="png")
    return out.getvalue()
