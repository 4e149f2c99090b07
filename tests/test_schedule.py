"""`--at` resolved against the requester's timezone and now, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import MAX_AHEAD, ScheduleError, resolve

ZONES = ["Europe/Brussels", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "UTC"]
# Around the 2026 changes of Europe and the United States, where wall times are skipped or shown twice.
nows = st.datetimes(min_value=datetime(2026, 3, 6), max_value=datetime(2026, 11, 3),
                    timezones=st.just(UTC))
clocks = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: f"{hm[0]:02d}:{hm[1]:02d}")


@given(now=nows, clock=clocks, tz=st.sampled_from(ZONES))
def test_a_time_of_day_is_its_next_showing_on_the_requesters_clock(now: datetime, clock: str, tz: str) -> None:
    moment = resolve(clock, tz, now)
    assert now < moment <= now + timedelta(hours=25)
    local = moment.astimezone(ZoneInfo(tz))
    hours, minutes = map(int, clock.split(":"))
    wall = local.replace(hour=hours, minute=minutes, tzinfo=None)
    skipped = wall.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None) != wall
    # Shown as typed, unless the clock skips that wall time that day: then just after the jump.
    assert (local.hour, local.minute) == (hours, minutes) or skipped
    # The next showing: asked any time between now and then, the answer is the same moment.
    assert resolve(clock, tz, moment - timedelta(seconds=1)) == moment


@given(now=nows, minutes=st.integers(1, 60 * 24 * 30))
def test_a_delay_counts_from_now_whatever_the_timezone(now: datetime, minutes: int) -> None:
    assert resolve(f"+{minutes}m", "Europe/Brussels", now) == now + timedelta(minutes=minutes)


def test_a_date_and_time_is_read_on_the_requesters_clock_through_a_change_of_summer_time() -> None:
    now = datetime(2026, 3, 28, 12, tzinfo=UTC)
    assert resolve("2026-03-29 09:00", "Europe/Brussels", now) == datetime(2026, 3, 29, 7, tzinfo=UTC)  # CEST
    assert resolve("2026-03-28 14:00", "Europe/Brussels", now) == datetime(2026, 3, 28, 13, tzinfo=UTC)  # CET
    assert resolve("02:30", "Europe/Brussels", now) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # skipped: 03:30
    fall = datetime(2026, 10, 24, 12, tzinfo=UTC)
    assert resolve("02:30", "Europe/Brussels", fall) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first showing
    assert resolve("+1d", None, now) == now + timedelta(days=1)
    assert resolve("10:00", None, now) == datetime(2026, 3, 29, 10, tzinfo=UTC)  # no timezone: UTC


@pytest.mark.parametrize(("when", "words"), [
    ("2026-03-28 12:00", "already passed"),
    ("2026-02-30 09:00", "not a date"),
    ("24:00", "not a time of day"),
    ("09:60", "not a time of day"),
    ("+0m", "zero"),
    (f"+{MAX_AHEAD.days + 1}d", "days ahead"),
    ("2027-01-01 09:00", "days ahead"),
])
def test_unusable_times_are_refused_with_why(when: str, words: str) -> None:
    with pytest.raises(ScheduleError, match=words):
        resolve(when, "Europe/Brussels", datetime(2026, 3, 28, 12, tzinfo=UTC))
