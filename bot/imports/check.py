"""Checking every row before anything is sent: the add form's rules, plus emails and phones repeated within
the file (phones compared as one spelling), which are set aside as duplicates, like rows that match a member
the card already has (found by `bot.imports.existing`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, count, repeat
from operator import itemgetter, not_

from bot.imports.csvfile import Row, Table
from bot.members import IDENTIFYING, LABELS, field_problem, stored_phone

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


@dataclass(frozen=True)
class Duplicate:
    """A row whose email or phone an earlier row of the file, or a member of the card, already has: set aside
    unless the importer chooses to create it anyway."""

    row: Row
    field: str
    value: str
    of: str
    """Who has it already, in words: "line 3", "member 42 (Ada Lovelace)"."""

    @property
    def line(self) -> int:
        return self.row[0]


@dataclass
class Checked:
    """The rows that can be sent, the duplicates set aside, and what is wrong with the others."""

    table: Table
    region: str | None = None
    """How national phone numbers are read (`LOYALTY_PHONE_REGION`)."""
    ok: list[Row] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_rows: int = 0
    problem_count: int = 0
    """Every problem found, including those not kept in `problems`."""

    @property
    def total(self) -> int:
        return len(self.table.rows)

    def set_aside(self, duplicates: Iterable[Duplicate]) -> None:
        """Move rows that turned out to be duplicates (of members the card has) from `ok` to `duplicates`."""
        found = {duplicate.line: duplicate for duplicate in duplicates}
        self.duplicates = sorted([*self.duplicates, *found.values()], key=lambda duplicate: duplicate.line)
        self.ok = [row for row in self.ok if row[0] not in found]

    def set_aside_lines(self, lines: Collection[int]) -> None:
        """`set_aside` by line numbers alone (the Import click repeats what the preview found)."""
        self.set_aside(Duplicate(row, "", "", "a member of the card") for row in self.ok if row[0] in lines)

    def to_send(self, *, duplicates: bool = False) -> list[tuple[int, tuple[str, ...]]]:
        """The good rows (and the duplicates, when asked) in file order: line and cells, phones as stored."""
        rows = sorted([*self.ok, *(d.row for d in self.duplicates)]) if duplicates else self.ok
        phone = self.table.fields.index("phone") if "phone" in self.table.fields else None
        if phone is None:
            return [(line, cells) for line, cells, _extra in rows]
        return [(line, (*cells[:phone], stored_phone(cells[phone], self.region), *cells[phone + 1:]))
                for line, cells, _extra in rows]

    def members(self) -> Iterator[dict[str, str]]:
        """The fields to create each good row with (empty cells left out), generated one at a time."""
        names = self.table.fields
        for _line, values in self.to_send():
            yield {name: value for name, value in zip(names, values, strict=True) if value}


def _row_problems(table: Table, row: Row, seen: dict[str, int],
                  region: str | None) -> tuple[list[Problem], Duplicate | None]:
    """What is wrong with the row, else whether an earlier row (`seen`: key -> line) has its email or phone."""
    line, cells, extra = row
    values = dict(zip(table.fields, cells, strict=True))
    found: list[Problem] = []
    if extra:
        found.append(Problem(line, f"has {extra} more value(s) than the header has columns; "
                                       "a separator inside a value needs quotes"))
    for name, value in values.items():
        if value and (problem := field_problem(name, value, region)):
            found.append(Problem(line, problem, name, value))
    if not any(values.get(name) for name in IDENTIFYING):
        found.append(Problem(line, "has no name, email or phone: give at least one"))
    if found:
        return found, None
    for name, key in (("email", values.get("email", "").lower()),
                      ("phone", _phone_key(values.get("phone", ""), region))):
        first = seen.setdefault(f"{name}:{key}", line) if key else line
        if first != line:
            return found, Duplicate(row, name, values[name], f"line {first}")
    return found, None


def _phone_key(phone: str, region: str | None) -> str:
    """One spelling per number, so `+32 2 555 01 01` and `003225550101` (and, in `region` BE, `02 555 01 01`)
    are the same phone."""
    return stored_phone(phone, region) if phone else ""


def check(table: Table, region: str | None = None) -> Checked:
    """Sort the table's rows into good ones and ones with problems, phones read in `region`; nothing is sent."""
    checked = Checked(table, region)
    rows = table.rows
    seen: dict[str, int] = {}
    done = 0
    for index in sorted(_suspects(table, region)):
        checked.ok.extend(rows[done:index])
        done = index + 1
        row = rows[index]
        found, duplicate = _row_problems(table, row, seen, region)
        if duplicate is not None:
            checked.duplicates.append(duplicate)
            continue
        if not found:
            checked.ok.append(row)
            continue
        checked.problem_rows += 1
        checked.problem_count += len(found)
        room = KEPT_PROBLEMS - len(checked.problems)
        checked.problems.extend(found[:max(room, 0)])
    checked.ok.extend(rows[done:])
    return checked


def _suspects(table: Table, region: str | None) -> set[int]:
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
        bad = set(compress(distinct, map(partial(field_problem, region=region), repeat(name), distinct)))
        if bad:
            suspects.update(compress(count(), map(bad.__contains__, column)))
    identifying = [columns[name] for name in IDENTIFYING if name in columns]
    if not identifying:
        return set(range(len(rows)))
    suspects.update(compress(count(), map(not_, map(any, zip(*identifying, strict=True)))))
    for name, key in (("email", str.lower), ("phone", partial(_phone_key, region=region))):
        if name in columns:
            keys = list(map(key, columns[name]))
            repeated = {value for value, times in Counter(keys).items() if times > 1 and value}
            if repeated:
                suspects.update(compress(count(), map(repeated.__contains__, keys)))
    return suspects
