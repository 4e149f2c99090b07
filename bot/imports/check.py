"""Checking every row before anything is sent: the add form's rules, plus duplicate emails within the file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import itemgetter, not_

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
        for _line, values, _extra in self.ok:
            if all(values):  # the usual row, every cell filled: built in C
                yield dict(zip(names, values, strict=True))
            else:
                yield {name: value for name, value in zip(names, values, strict=True) if value}


def _row_problems(table: Table, row: Row, seen: dict[str, int]) -> list[Problem]:
    line, cells, extra = row
    values = dict(zip(table.fields, cells, strict=True))
    found: list[Problem] = []
    if extra:
        found.append(Problem(line, f"has {extra} more value(s) than the header has columns; "
                                       "a separator inside a value needs quotes"))
    for name, value in values.items():
        if value and (problem := field_problem(name, value)):
            found.append(Problem(line, problem, name, value))
    if not any(values.get(name) for name in IDENTIFYING):
        found.append(Problem(line, "has no name, email or phone: give at least one"))
    email = values.get("email", "").lower()
    if email and not found:
        first = seen.setdefault(email, line)
        if first != line:
            found.append(Problem(line, f"has the same email as line {first}", "email", values["email"]))
    return found


def check(table: Table) -> Checked:
    """Sort the table's rows into good ones and ones with problems; nothing is sent here."""
    checked = Checked(table)
    rows = table.rows
    seen: dict[str, int] = {}
    done = 0
    for index in sorted(_suspects(table)):
        checked.ok.extend(rows[done:index])
        done = index + 1
        row = rows[index]
        found = _row_problems(table, row, seen)
        if not found:
            checked.ok.append(row)
            continue
        checked.problem_rows += 1
        checked.problem_count += len(found)
        room = KEPT_PROBLEMS - len(checked.problems)
        checked.problems.extend(found[:max(room, 0)])
    checked.ok.extend(rows[done:])
    return checked


def _suspects(table: Table) -> set[int]:
    """The indexes of the rows that may have a problem; `_row_problems` finds none in any other row.

    The same rules as `_row_problems`, applied a column at a time, mostly in C: each distinct value of a
    column is checked once, and a row is only looked at on its own when something in it is wrong or its
    email appears more than once in the file. A row whose email is unique never meets another, so
    leaving it out of the duplicate search changes nobody's result.
    """
    rows = table.rows
    if not rows:
        return set()
    columns = dict(zip(table.fields, zip(*map(itemgetter(1), rows), strict=True), strict=True))
    suspects = set(compress(count(), map(itemgetter(2), rows)))
    for name, column in columns.items():
        distinct = [value for value in set(column) if value]
        bad = set(compress(distinct, map(field_problem, repeat(name), distinct)))
        if bad:
            suspects.update(compress(count(), map(bad.__contains__, column)))
    identifying = [columns[name] for name in IDENTIFYING if name in columns]
    if not identifying:
        return set(range(len(rows)))
    suspects.update(compress(count(), map(not_, map(any, zip(*identifying, strict=True)))))
    if "email" in columns:
        emails = list(map(str.lower, columns["email"]))
        repeated = {email for email, times in Counter(emails).items() if times > 1 and email}
        if repeated:
            suspects.update(compress(count(), map(repeated.__contains__, emails)))
    return suspects
