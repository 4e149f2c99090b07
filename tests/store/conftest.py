"""Store fixtures: every store test runs against a SQLite file and against the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Connection, create_engine

from bot.store import Store
from bot.store.db import normalise_url

POSTGRES_URL = os.environ.get("LOYALTY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

# A session time zone far from UTC proves that what the store hands back is UTC whatever the server says.
_PG_TIMEZONE = "Asia/Tokyo"


def _admin_connect() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")


@contextmanager
def direct_connection(url: str) -> Iterator[Connection]:
    """A connection beside the store's own, to look at (or tamper with) what it wrote."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


@pytest.fixture
def make_pg_url() -> Iterator[Callable[[], str]]:
    """A factory of URLs, each to a fresh empty schema of its own (dropped after the test)."""
    schemas: list[str] = []

    def make() -> str:
        schema = f"store_test_{uuid.uuid4().hex[:12]}"
        with _admin_connect() as admin:
            admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        schemas.append(schema)
        options = quote(f"-csearch_path={schema} -cTimeZone={_PG_TIMEZONE}", safe="")
        return f"{POSTGRES_URL}?options={options}"

    yield make
    if schemas:
        with _admin_connect() as admin:
            for schema in schemas:
                admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def make_sqlite_url(tmp_path: Path) -> Callable[[], str]:
    """A factory of URLs, each to a new SQLite file under tmp_path."""

    def make() -> str:
        return f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:8]}.db'}"

    return make


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def make_url(request: pytest.FixtureRequest) -> Callable[[], str]:
    """URL factory for a fresh database on each backend in turn."""
    fixture = "make_sqlite_url" if request.param == "sqlite" else "make_pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def database_url(make_url: Callable[[], str]) -> str:
    """One fresh, not yet migrated database on each backend."""
    return make_url()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A connected store on a fresh database, closed after the test."""
    opened = Store.connect(database_url)
    yield opened
    opened.close()
