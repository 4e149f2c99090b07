"""Reading a CSV of members: bytes to text, the delimiter, the header, and the rows. Pure: no I/O.

What people export from Excel, Numbers or Google Sheets varies: a byte-order mark, `;` as the separator
(European Excel), CRLF line ends, quoted fields with commas or line breaks in them, blank lines, a
Windows code page instead of UTF-8. All of that reads; anything that is not text is refused in words.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from bot.errors import UserError
from bot.imports.columns import field_for

MAX_BYTES = 5 * 1024 * 1024
"""The largest file read (5 MB holds well over the row limit of typical member exports)."""
MAX_ROWS = 20_000
"""The most rows one import takes: Slack's and the API's limits stay far away, and so does memory."""

_DELIMITERS = (",", ";", "\t")
# C0 controls other than tab, line feed, vertical tab, form feed and carriage return: never in a text CSV.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")
# The same controls as bytes: in UTF-8 and Windows-1252 each is its own single byte, and no other byte
# means one. Deleting every other byte (one pass in C) leaves them; a regex over the text took 10x longer.
_NOT_BINARY_BYTES = bytes(byte for byte in range(256) if not _BINARY.match(chr(byte)))
_HOW_TO_EXPORT = "Save the sheet as CSV (comma- or semicolon-separated) and try again."


Row = tuple[int, tuple[str, ...], int]
"""One data row: (its line in the file, its values in the order of `Table.fields`, stray extra cells).

A plain tuple, not a NamedTuple: CPython's collector stops tracking an exact tuple that holds only untracked
values (ints, strings, such tuples) once it has seen it. NamedTuple rows stayed tracked, so the 10,000 rows
an import holds made Python's next full collection come sooner and take longer (~50 ms every other import).
"""


@dataclass(frozen=True)
class Table:
    """A CSV read against the member fields: which columns were used, which were not, and the rows."""

    fields: tuple[str, ...]
    """The API field of each used column, in column order."""
    positions: tuple[int, ...]
    """Where each of `fields` sits in a line of the file."""
    columns: int
    """How many columns the header has."""
    unknown: tuple[str, ...] = ()
    """Headers that name no member field (or repeat one), ignored."""
    rows: list[Row] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UserError(f"That file is not a readable CSV. {_HOW_TO_EXPORT}") from None
        binary = _BINARY.search(text) is not None
    else:
        if b"\x00" in data:
            raise UserError(f"That file is not a CSV: it holds binary data. {_HOW_TO_EXPORT}")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise UserError(f"That file is not text I can read (UTF-8 is best). {_HOW_TO_EXPORT}") from None
        binary = bool(data.translate(None, _NOT_BINARY_BYTES))
    if binary:
        raise UserError(f"That file is not a CSV: it holds binary data. {_HOW_TO_EXPORT}")
    return text


def _delimiter(text: str) -> str:
    """The separator the header line uses most: `,`, `;` or tab (`,` when it uses none)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(text: str, *, max_rows: int = MAX_ROWS) -> Table:
    """Parse CSV text with a header row; raises UserError when there is nothing to import or too much."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise UserError("The CSV is empty. Paste a header row (like `First name,Last name,Email`) and rows below it.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), skipinitialspace=True)
    try:
        header = next((cells for cells in reader if not _blank(cells)), [])
        table = _with_header(header)
        row = _row_reader(table)
        for cells in reader:
            if _blank(cells):
                continue
            if len(table.rows) == max_rows:
                raise UserError(f"The CSV has more than {max_rows:,} rows. Split it into smaller files and "
                                "import them one after another.")
            table.rows.append(row(reader.line_num, cells))
    except csv.Error as exc:
        raise UserError(f"Line {reader.line_num} of the CSV can't be read ({exc}). {_HOW_TO_EXPORT}") from None
    if not table.rows:
        raise UserError("The CSV has a header but no rows below it: there is nobody to import.")
    return table


def _blank(cells: list[str]) -> bool:
    """No cell holds anything but whitespace (joined first: one strip instead of one per cell)."""
    return not "".join(cells).strip()


def _with_header(header: list[str]) -> Table:
    fields: list[str] = []
    positions: list[int] = []
    unknown: list[str] = []
    for position, name in enumerate(header):
        mapped = field_for(name)
        if mapped is None or mapped in fields:
            if name.strip():
                unknown.append(name.strip())
            continue
        fields.append(mapped)
        positions.append(position)
    if not fields:
        raise UserError("None of the CSV's columns is a member field. Start it with a header row naming them, "
                        "like `First name,Last name,Email,Phone,Address,Zip,City,Custom 1`.")
    return Table(fields=tuple(fields), positions=tuple(positions), columns=len(header), unknown=tuple(unknown))


def _row_reader(table: Table) -> Callable[[int, list[str]], Row]:
    """A function making the Row of one line's cells; the usual line, with as many cells as the header, is
    taken in C (itemgetter, map) rather than cell by cell."""
    positions, columns = table.positions, table.columns
    pick = itemgetter(*positions) if len(positions) > 1 else lambda cells: (cells[positions[0]],)

    def row(line: int, cells: list[str]) -> Row:
        if len(cells) == columns:
            return line, tuple(map(str.strip, pick(cells))), 0
        values = tuple(cells[p].strip() if p < len(cells) else "" for p in positions)
        extra = sum(1 for cell in cells[columns:] if cell.strip())
        return line, values, extra

    return row
