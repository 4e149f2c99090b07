"""The database check of `loyalty-bot check`, on SQLite files and the real PostgreSQL server; it never migrates."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.check import FAIL, NOTE, OK, Finding, check_database
from bot.config import Settings
from bot.store import Store
from tests.store.conftest import direct_connection


def _check(url: str) -> Finding:
    [finding] = check_database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    return finding


def _tables(url: str) -> set[str]:
    with direct_connection(url) as connection:
        if connection.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            query = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        return set(connection.execute(text(query)).scalars())


def test_a_migrated_database_is_current(database_url: str) -> None:
    Store.connect(database_url).close()
    finding = _check(database_url)
    assert (finding.status, finding.fatal) == (OK, False)
    assert "schema current" in finding.text


def test_an_empty_database_is_a_note_and_stays_empty(make_url: Callable[[], str], tmp_path: Path) -> None:
    url = make_url()
    if url.startswith("sqlite"):
        sqlite3.connect(url.removeprefix("sqlite:///")).close()  # the file exists, with no tables
    finding = _check(url)
    assert (finding.status, finding.fatal) == (NOTE, False)
    assert "no tables yet" in finding.text
    assert not _tables(url) - {"sqlite_sequence"}


def test_a_sqlite_file_not_yet_created_is_a_note_and_is_not_created(tmp_path: Path) -> None:
    finding = _check(f"sqlite:///{tmp_path / 'later.db'}")
    assert (finding.status, finding.fatal) == (NOTE, False)
    assert "the first start creates it" in finding.text
    assert not (tmp_path / "later.db").exists()


def test_a_schema_from_a_newer_release_fails(database_url: str) -> None:
    Store.connect(database_url).close()
    with direct_connection(database_url) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finding = _check(database_url)
    assert (finding.status, finding.fatal) == (FAIL, True)
    assert "newest release" in finding.text


@pytest.mark.postgres
def test_an_unreachable_database_fails_without_showing_the_password() -> None:
    finding = _check("postgresql://bot:pw-never-shown@127.0.0.1:1/loyalty")
    assert (finding.status, finding.fatal) == (FAIL, True)
    assert "127.0.0.1:1" in finding.text
    assert "pw-never-shown" not in finding.line


def test_a_malformed_url_fails_without_repeating_it() -> None:
    finding = _check("postgres//bot:pw-never-shown@db")
    assert (finding.status, finding.fatal) == (FAIL, True)
    assert "pw-never-shown" not in finding.line
