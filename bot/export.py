"""`/loyalty export`: every member of a card as CSV, written row by row to a file as the API's pages arrive."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import IO

from bot.coupontools.models import MEMBER_FIELDS, Member
from bot.csvcells import safe_cell

EXPORT_ACTION = "export"
"""The held confirmation's action and the audit log's."""
COLUMNS: tuple[str, ...] = (
    "id", "code", *MEMBER_FIELDS, "stamps", "rewards_available", "rewards_used", "created_at", "voided_at",
)


def _time(value: datetime | None) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def member_row(member: Member, now: datetime) -> list[str]:
    """One member's cells, each safe to open in a spreadsheet (no cell starts like a formula)."""
    values: list[object] = [
        member.id, member.code, *(getattr(member, name) for name in MEMBER_FIELDS),
        "" if member.stamps is None else member.stamps, len(member.available_rewards(now)),
        len(member.used_rewards()), _time(member.created_at), _time(member.voided_at),
    ]
    return [safe_cell(value) for value in values]


def write_members(members: Iterable[Member], out: IO[str], *, now: datetime | None = None) -> int:
    """Write the header and one row per member to `out` as they come; returns the number of members."""
    now = now or datetime.now()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for member in members:
        writer.writerow(member_row(member, now))
        count += 1
    return count
