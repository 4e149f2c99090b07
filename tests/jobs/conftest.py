"""Fixtures of the job tests: a database of each kind for bot processes started by the test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.store.conftest import POSTGRES_URL, make_pg_url, make_sqlite_url  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bot_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """DATABASE_URL (and, on PostgreSQL, a jobs schema of its own) for the bot processes of one test."""
    if request.param == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
        return
    schema = f"jobs_{uuid.uuid4().hex[:12]}"
    yield {"DATABASE_URL": request.getfixturevalue("make_pg_url")(), "LOYALTY_JOBS_SCHEMA": schema}
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
