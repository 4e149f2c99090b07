"""When a scheduled push goes out: `--at` as typed, resolved against the requester's timezone and "now".

Pure: no clock, no Slack. `HH:MM` is the next time the requester's clock shows it; `YYYY-MM-DD HH:MM` is that
wall time in their timezone; `+90m`, `+2h`, `+1d` count from now. A wall time the clock skips (spring forward)
is read with the offset before the jump, so it lands just after it; a wall time the clock shows twice (fall
back) is its first showing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserError

MAX_AHEAD = timedelta(days=30)
"""How far ahead a push can be scheduled."""

_LATER = re.compile(r"\+(\d{1,5})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class ScheduleError(UserError):
    """`--at` names a time that cannot be used (past, too far, or not a real date or time)."""


def zone(name: str | None) -> ZoneInfo:
    """The named IANA timezone, or UTC when Slack gave none or one this machine does not know."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def resolve(when: str, timezone: str | None, now: datetime) -> datetime:
    """The moment (UTC) `when` names for someone in `timezone` at `now`; ScheduleError if it cannot be used."""
    now = now.astimezone(UTC)
    later = _LATER.fullmatch(when)
    if later:
        moment = now + timedelta(**{_UNITS[later.group(2)]: int(later.group(1))})
        if int(later.group(1)) == 0:
            raise ScheduleError("A delay of zero is now: leave `--at` out to send it now.")
    else:
        tz = zone(timezone)
        day_text, _, clock_text = when.rpartition(" ")
        clock = _clock(clock_text)
        if day_text:
            moment = _at(_day(day_text), clock, tz)
            if moment <= now:
                raise ScheduleError(f"{when} ({tz.key}) has already passed. Give a time still to come.")
        else:
            today = now.astimezone(tz).date()
            moment = _at(today, clock, tz)
            if moment <= now:
                moment = _at(today + timedelta(days=1), clock, tz)
    if moment - now > MAX_AHEAD:
        raise ScheduleError(f"That is more than {MAX_AHEAD.days} days ahead; a push can be scheduled up to "
                            f"{MAX_AHEAD.days} days ahead.")
    return moment


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise ScheduleError(f"`{text[:10]}` is not a time of day: use HH:MM, from 00:00 to 23:59.") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(f"`{text[:20]}` is not a date: use YYYY-MM-DD, like 2026-12-24.") from None


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """That wall time on that day in `tz`, as a UTC moment (fold 0: before a jump, the first of two showings)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
