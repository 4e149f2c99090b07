"""Cells of the CSV files the bot uploads (import reports, audit exports), made safe to open in a spreadsheet."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula; a tab or carriage return first hides one (`\\t=cmd`)."""


def safe_cell(value: object) -> str:
    """`value` as cell text; a leading quote keeps a formula-like cell plain text (None is an empty cell)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text
