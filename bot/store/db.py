"""Engine set-up, short transactions, and schema migrations that are safe when processes start together."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///loyalty-bot.db"

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Any fixed 64-bit number will do; every process of the bot must use the same one.
_MIGRATION_LOCK_KEY = 0x6C6F79616C7479

# How long a SQLite writer waits for another one before giving up with "database is locked".
_SQLITE_BUSY_TIMEOUT_S = 30.0

# Marks a connection whose SQLite transaction must take the write lock at BEGIN.
_IMMEDIATE = "loyalty_sqlite_begin_immediate"


def normalise_url(database_url: str) -> URL:
    """Parse the URL, sending plain `postgresql://` (and `postgres://`) to the psycopg 3 driver."""
    url = make_url(database_url)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database in {None, "", ":memory:"}:
        raise ValueError(
            "an in-memory SQLite database cannot be shared between connections: use a file, "
            "e.g. sqlite:///loyalty-bot.db"
        )
    return url


def safe_url(url: URL | str) -> str:
    """The URL with its password masked, fit for logs and error messages."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (ArgumentError, ValueError):  # an unparsable URL may still hold a password: show nothing
            return "<unparsable database URL>"
    return url.render_as_string(hide_password=True)


def create_store_engine(url: URL, *, connections: int = 5) -> Engine:
    """An engine for `url`, tuned per backend: SQLite in WAL mode with a busy timeout; PostgreSQL pre-pinged.

    `connections` is how many threads may use the database at once (the work pool): on SQLite that many stay
    open and more are opened when needed, never refused. SQLite already queues writers behind its lock (the
    busy timeout); a pool cap would add a second queue in front of it whose timeout fails work that SQLite
    would have let through (40 stamps at once against a pool of 15, with a writer holding the lock).
    """
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_S}, pool_size=connections,
                               max_overflow=-1)
        _take_over_sqlite_transactions(engine)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": "loyalty-bot"},
    )


def _take_over_sqlite_transactions(engine: Engine) -> None:
    """Emit BEGIN ourselves so that writers can take SQLite's write lock up front (BEGIN IMMEDIATE).

    Python's sqlite3 module otherwise begins transactions lazily, at the first INSERT/UPDATE, and a
    reader that later writes can fail at once with "database is locked" instead of waiting its turn.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver stops issuing BEGIN; SQLAlchemy does it
        use_wal(dbapi_connection)
        # NORMAL sync is durable enough with WAL (a power cut may lose the last commits, never corrupt).
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def use_wal(dbapi_connection: sqlite3.Connection) -> None:
    """Switch the file to WAL, so readers go on while one process writes.

    SQLite answers "database is locked" at once, without waiting out the busy timeout, when two
    connections switch a new file's journal mode together; so retry for as long as that timeout.
    """
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Database:
    """One engine, and a fresh connection per operation: safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A short read-only transaction."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A short transaction that will write; on SQLite it holds the write lock from its start."""
        with self.engine.connect() as connection:
            connection.execution_options(**{_IMMEDIATE: True})
            with connection.begin():
                yield connection


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(database: Database) -> bool:
    """Bring the schema to the newest revision; True when this call changed it.

    Runs in one transaction under a lock (PostgreSQL: an advisory lock; SQLite: the write lock of
    BEGIN IMMEDIATE), so when several processes start at once one migrates and the others then
    find the schema current.
    """
    with database.write() as connection:
        if database.dialect == "postgresql":
            # Released at commit, which is exactly when the new schema becomes visible to the others.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        config = _alembic_config(connection)
        head = ScriptDirectory.from_config(config).get_current_head()
        before = _current_revision(connection)
        if before == head:
            return False
        command.upgrade(config, "head")
    logger.info("database schema upgraded from %s to %s", before or "nothing", head)
    return True


def schema_status(database: Database) -> str:
    """Without changing anything: `current`, `empty`, `behind` (starting the bot upgrades it) or `unknown`
    (a newer release migrated it)."""
    with database.read() as connection:
        script = ScriptDirectory.from_config(_alembic_config(connection))
        current = _current_revision(connection)
    if current is None:
        return "empty"
    if current == script.get_current_head():
        return "current"
    try:
        known = script.get_revision(current) is not None
    except CommandError:
        known = False
    return "behind" if known else "unknown"
