"""Checking every row before anything is sent: the add form's rules, plus duplicate emails within the file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.imports.csvfile import Row, Table
from bot.members import IDENTIFYING, LABELS, field_problem

KEPT_PROBLEMS = 100
"""Problems kept with their wording; the rest are only counted (the preview shows fewer still)."""


@dataclass(frozen=True)
class Problem:
    """Why one row will not be imported. `value` is the offending cell (shown only to the importer)."""

    line: int
    reason: str
    field: str | None = None
    value: str | None = None

    @property
    def label(self) -> str | None:
        return LABELS.get(self.field) if self.field else None


@dataclass
class Checked:
    """The rows that can be sent, and what is wrong with the others."""

    table: Table
    ok: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_rows: int = 0
    problem_count: int = 0
    """Every problem found, including those not kept in `problems`."""

    @property
    def total(self) -> int:
        return len(self.table.rows)

    def members(self) -> Iterator[dict[str, str]]:
        """The fields to create each good row with (empty cells left out), generated one at a time."""
        names = self.table.fields
        for row in self.ok:
            yield {name: value for name, value in zip(names, row.values, strict=True) if value}


def _row_problems(table: Table, row: Row, seen: dict[str, int]) -> list[Problem]:
    values = dict(zip(table.fields, row.values, strict=True))
    found: list[Problem] = []
    if row.extra:
        found.append(Problem(row.line, f"has {row.extra} more value(s) than the header has columns; "
                                       "a separator inside a value needs quotes"))
    for name, value in values.items():
        if value and (problem := field_problem(name, value)):
            found.append(Problem(row.line, problem, name, value))
    if not any(values.get(name) for name in IDENTIFYING):
        found.append(Problem(row.line, "has no name, email or phone: give at least one"))
    email = values.get("email", "").lower()
    if email and not found:
        first = seen.setdefault(email, row.line)
        if first != row.line:
            found.append(Problem(row.line, f"has the same email as line {first}", "email", values["email"]))
    return found


def check(table: Table) -> Checked:
    """Sort the table's rows into good ones and ones with problems; nothing is sent here."""
    checked = Checked(table)
    seen: dict[str, int] = {}
    for row in table.rows:
        found = _row_problems(table, row, seen)
        if not found:
            checked.ok.append(row)
            continue
        checked.problem_rows += 1
        checked.problem_count += len(found)
        room = KEPT_PROBLEMS - len(checked.problems)
        checked.problems.extend(found[:max(room, 0)])
    return checked
