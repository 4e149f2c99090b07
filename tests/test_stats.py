"""The stats arithmetic that the end-to-end tests cannot pin down: reward size, cache expiry, weekly buckets."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from bot.coupontools import Member
from bot.export import COLUMNS, write_members
from bot.stats import WEEKS, MemberCache, MemberFigures, stamps_per_reward, weekly_totals


def figures() -> MemberFigures:
    return MemberFigures(datetime(2026, 1, 1), 1, 0, (), 0, 0, 0, 0, None)


def test_stamps_per_reward_is_the_smallest_size_every_member_fits() -> None:
    assert stamps_per_reward([(37, 3), (9, 0), (10, 1), (0, 0)]) == 10
    assert stamps_per_reward([(8, 1), (8, 0)]) is None  # 8 stamps both earned a reward and did not
    assert stamps_per_reward([(5, 0)]) is None  # nobody has a reward yet: the size is unknown


def test_the_cache_forgets_a_card_after_the_ttl() -> None:
    now = [0.0]
    cache = MemberCache(600, clock=lambda: now[0])
    cache.put(1, figures())
    now[0] = 599.0
    assert cache.get(1) == figures()
    assert cache.get(2) is None
    now[0] = 600.0
    assert cache.get(1) is None


def test_a_ttl_of_zero_caches_nothing() -> None:
    cache = MemberCache(0)
    cache.put(1, figures())
    assert cache.get(1) is None


def test_weekly_totals_put_this_week_last_and_drop_older_weeks() -> None:
    end = datetime(2026, 3, 1, 12)
    weeks = weekly_totals([(end, 2), (end - timedelta(days=8), 1), (end - timedelta(weeks=WEEKS), 5)], end)
    assert len(weeks) == WEEKS
    assert weeks[-1] == 2
    assert weeks[-2] == 1
    assert sum(weeks) == 3


def test_exported_cells_that_start_like_a_formula_are_quoted() -> None:
    out = io.StringIO()
    members = [Member(id=1, code="c1", first_name="=cmd|' /C calc'!A0", city="+32", email="@x", stamps=3),
               Member(id=2, code="c2", last_name="-1")]
    assert write_members(members, out) == 2
    header, first, second = out.getvalue().splitlines()
    assert header.split(",") == list(COLUMNS)
    assert "'=cmd" in first
    assert "'+32" in first
    assert "'@x" in first
    assert "'-1" in second
