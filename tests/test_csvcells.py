"""The CSV files the bot uploads open in a spreadsheet without running anything a cell holds."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.imports.run import Report, report_csv
from bot.store import AuditEntry
from bot.views.audit import audit_csv

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(A1)", "\t=cmd", "\r=cmd", "\tplain", "\rplain"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_the_import_report_prefixes_every_formula_like_cell(cell: str) -> None:
    report = Report(rows=1, skipped=0, to_send=1, created=[(1, cell, cell)])
    [_, row] = list(csv.reader(io.StringIO(report_csv(report).decode(), newline="")))
    assert row == ["1", f"'{cell}", f"'{cell}"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_the_audit_export_prefixes_every_formula_like_cell(cell: str) -> None:
    entry = AuditEntry(id=1, created_at=datetime(2026, 1, 2, tzinfo=UTC), finished_at=None, actor=cell,
                       team_id=None, channel_id=None, action="stamp", card_id=1, member_ids=(2,), params={},
                       request_id=None, outcome="failed", detail=cell)
    [header, row] = list(csv.reader(io.StringIO(audit_csv([entry]), newline="")))
    assert row[header.index("who")] == row[header.index("detail")] == f"'{cell}"


def test_ordinary_cells_are_left_alone() -> None:
    report = Report(rows=1, skipped=0, to_send=1, created=[(1, "ABC-123", "https://w/1")])
    assert report_csv(report).decode().splitlines()[1] == "1,ABC-123,https://w/1"
