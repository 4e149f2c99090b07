"""Requests from Slack already answered: a replay of one, or Slack's retry of an event, must not run again."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import Insert, delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.db import Database
from bot.store.models.records import utc_now
from bot.store.models.tables import seen_requests

PRUNE_EVERY = 60.0  # seconds between deletions of expired entries, per process


class SeenRequests:
    """Keys of the requests let through, each kept until it could no longer be replayed."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._pruned = float("-inf")
        self._lock = threading.Lock()

    def first(self, key: str, until: datetime) -> bool:
        """True when `key` was not seen before, remembering it until `until`; any process may ask."""
        self._prune_if_due()
        with self._db.write() as connection:
            return connection.execute(self._insert_new(key, until)).first() is not None

    def prune(self) -> int:
        """Forget the entries that have expired; how many."""
        with self._db.write() as connection:
            return connection.execute(delete(seen_requests).where(seen_requests.c.expires_at <= utc_now())).rowcount

    def _insert_new(self, key: str, until: datetime) -> Insert:
        insert: postgresql.Insert | sqlite.Insert = (
            postgresql.insert(seen_requests) if self._db.dialect == "postgresql" else sqlite.insert(seen_requests)
        )
        return insert.values(key=key, expires_at=until).on_conflict_do_nothing().returning(seen_requests.c.key)

    def _prune_if_due(self) -> None:
        with self._lock:
            due = time.monotonic() - self._pruned >= PRUNE_EVERY
            if due:
                self._pruned = time.monotonic()
        if due:
            self.prune()
