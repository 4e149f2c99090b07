"""Heartbeats of the processes that run jobs, so that the work of a dead one is resumed by another."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from bot.store.db import Database
from bot.store.models.tables import job_executors


class Executors:
    """One row per process that runs jobs: who it is, which engine version, when it was last seen."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def beat(self, executor_id: str, version: str, now: datetime) -> None:
        """Record that `executor_id` is alive at `now`."""
        with self._db.write() as connection:
            changed = connection.execute(
                update(job_executors).where(job_executors.c.id == executor_id).values(version=version, seen_at=now)
            ).rowcount
            if not changed:
                connection.execute(insert(job_executors).values(id=executor_id, version=version, seen_at=now))

    def silent(self, version: str, since: datetime) -> list[str]:
        """Executors of `version` not seen since `since`."""
        with self._db.read() as connection:
            rows = connection.execute(
                select(job_executors.c.id).where(job_executors.c.version == version, job_executors.c.seen_at < since)
            )
            return [row.id for row in rows]

    def forget(self, executor_id: str, since: datetime) -> bool:
        """Drop `executor_id` if it is still silent since `since`; True for the one caller that dropped it."""
        with self._db.write() as connection:
            return bool(connection.execute(
                delete(job_executors).where(job_executors.c.id == executor_id, job_executors.c.seen_at < since)
            ).rowcount)
