"""The Store: one database connection pool and the two things kept in it."""

from __future__ import annotations

import logging
from types import TracebackType

from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.store.audit import AuditLog
from bot.store.db import DEFAULT_DATABASE_URL, Database, create_store_engine, migrate, normalise_url, safe_url
from bot.store.defaults import ChannelDefaults
from bot.store.executors import Executors
from bot.store.held import HeldChanges
from bot.store.imports import ImportLedger
from bot.store.seen import SeenRequests

logger = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The database could not be opened or migrated; the message never contains a password."""


class Store:
    """The audit log and the changes held for a click, shared safely by threads and by processes."""

    def __init__(self, database: Database, *, url: str, migrated: bool) -> None:
        self._db = database
        self.url = url
        """The database URL with its password masked."""
        self.migrated = migrated
        """True when opening this store upgraded the schema (only one of several starting processes does)."""
        self.audit = AuditLog(database)
        self.held = HeldChanges(database)
        self.seen = SeenRequests(database)
        self.defaults = ChannelDefaults(database)
        self.executors = Executors(database)
        self.imports = ImportLedger(database)

    @classmethod
    def connect(cls, database_url: str = DEFAULT_DATABASE_URL, *, connections: int = 5) -> Store:
        """Open the database at `database_url` and bring its schema up to date.

        SQLite (`sqlite:///path`) or PostgreSQL (`postgresql://…`, driven by psycopg 3). Safe when
        several processes connect to a fresh database at once: exactly one of them migrates it.
        `connections`: how many threads may use it at once (see `create_store_engine`).
        """
        url = normalise_url(database_url)
        shown = safe_url(url)
        engine = create_store_engine(url, connections=connections)
        database = Database(engine)
        try:
            migrated = migrate(database)
        except SQLAlchemyError as exc:
            engine.dispose()
            # The driver's own words say why (refused, unknown host…) and never include the password.
            reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
            raise StoreUnavailable(f"cannot open the database at {shown}: {reason}") from None
        except CommandError as exc:
            engine.dispose()
            # Typically a newer release migrated this database: this one does not know its revision.
            raise StoreUnavailable(
                f"the database at {shown} has a schema this version of the bot does not know ({exc}); "
                "run the newest release"
            ) from None
        logger.info("store ready at %s", shown)
        return cls(database, url=shown, migrated=migrated)

    def ping(self) -> bool:
        """True when the database answers a trivial query (for /healthz)."""
        try:
            with self._db.read() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            logger.warning("database at %s did not answer", self.url)
            return False
        return True

    def close(self) -> None:
        """Close every pooled connection."""
        self._db.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
