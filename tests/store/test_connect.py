"""Opening the store: URLs, schema migrations (also by processes starting together), health, secrecy."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.store import Store, StoreUnavailable
from bot.store.db import MIGRATIONS_DIR, Database, create_store_engine, normalise_url, safe_url
from bot.store.models.tables import metadata
from tests.store import workers
from tests.store.conftest import direct_connection


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_connect_creates_the_tables_and_records_the_schema_version(database_url: str) -> None:
    with Store.connect(database_url) as store:
        assert store.migrated
        assert store.ping()
    with direct_connection(database_url) as connection:
        tables = set(inspect(connection).get_table_names())
        assert {"audit_log", "held_changes", "seen_requests"} <= tables
        assert MigrationContext.configure(connection).get_current_revision() == _head()


def test_connecting_again_leaves_a_current_schema_alone(database_url: str) -> None:
    Store.connect(database_url).close()
    with Store.connect(database_url) as again:
        assert not again.migrated


def test_migrated_schema_matches_the_tables_the_code_uses(store: Store, database_url: str) -> None:
    with direct_connection(database_url) as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_two_processes_connecting_to_a_fresh_database_both_succeed_and_one_migrates(
    make_url: Callable[[], str],
) -> None:
    url = make_url()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [context.Process(target=workers.connect, args=(url, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    reports = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [status for status, _ in reports] == ["ok", "ok"], reports
    assert sorted(migrated for _, migrated in reports) == [False, True]
    with direct_connection(url) as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_head()]


def test_a_schema_from_a_newer_release_is_refused_with_advice(database_url: str) -> None:
    Store.connect(database_url).close()
    with direct_connection(database_url) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreUnavailable, match="newest release"):
        Store.connect(database_url)


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_in_memory_sqlite_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="use a file"):
        Store.connect("sqlite://")


def test_safe_url_masks_the_password() -> None:
    shown = safe_url("postgresql://bot:hunter2-secret@db.internal:5432/loyalty")
    assert "hunter2-secret" not in shown
    assert "bot:***@db.internal" in shown


def test_sqlite_database_runs_in_wal_mode(make_sqlite_url: Callable[[], str]) -> None:
    url = make_sqlite_url()
    Store.connect(url).close()
    with direct_connection(url) as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


@pytest.mark.parametrize(
    "unreachable",
    [
        "sqlite:///{tmp}/no-such-folder/x.db",
        pytest.param("postgresql://postgres@127.0.0.1:1/test", marks=pytest.mark.postgres),
    ],
)
def test_ping_answers_false_when_the_database_cannot_be_reached(unreachable: str, tmp_path) -> None:
    engine = create_store_engine(normalise_url(unreachable.format(tmp=tmp_path)))
    store = Store(Database(engine), url="unreachable", migrated=False)
    try:
        assert not store.ping()
    finally:
        store.close()


@pytest.mark.postgres
def test_password_in_the_url_is_never_logged(make_pg_url: Callable[[], str], caplog) -> None:
    caplog.set_level(logging.DEBUG)
    url = make_pg_url().replace("postgres@", "postgres:pw-never-shown@", 1)
    with Store.connect(url) as store:
        assert store.ping()
        assert "pw-never-shown" not in store.url
    assert "127.0.0.1" in caplog.text
    assert "pw-never-shown" not in caplog.text


@pytest.mark.postgres
def test_unreachable_database_raises_store_unavailable_without_the_password(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    with pytest.raises(StoreUnavailable) as raised:
        Store.connect("postgresql://bot:pw-never-shown@127.0.0.1:1/loyalty")
    assert "pw-never-shown" not in str(raised.value)
    assert "127.0.0.1:1" in str(raised.value)
    assert "pw-never-shown" not in caplog.text


def test_sqlite_gives_every_worker_a_connection_at_once(tmp_path) -> None:
    engine = create_store_engine(normalise_url(f"sqlite:///{tmp_path / 'bot.db'}"), connections=8)
    try:
        held = [engine.connect() for _ in range(40)]  # a pool cap would block here, then time out
        assert [connection.execute(text("select 1")).scalar() for connection in held] == [1] * 40
        for connection in held:
            connection.close()
    finally:
        engine.dispose()
