"""The durable job engine: DBOS Transact, kept in the app's own database.

Work that must outlive the process that accepted it (imports, approved pushes, scheduled pushes, upkeep) runs
as DBOS workflows: each finished step is written down, and a workflow left pending by a process that died is
resumed from its last finished step. A step that was running when the process died runs again, so every step
that talks to the loyalty API keeps its own ledger (sending -> done) and reconciles instead of resending.

One engine per process. `serve` runs jobs in the serving process by default; `serve --no-worker` only
enqueues them, and `loyalty-bot worker` only runs them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import sqlite3
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.engine import URL, make_url

from bot.jobs import context
from bot.store.db import normalise_url, use_wal

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.store import Store

log = logging.getLogger(__name__)

JOBS_VERSION = "1"
"""The engine's application version: a process resumes only the workflows of its own version, so this stays
constant across deploys. Bump it only when a workflow's order of steps changes (the old ones cannot resume)."""

APP_NAME = "loyalty-bot"
HEARTBEAT_EVERY = 10.0
"""Seconds between two heartbeats of a process that runs jobs."""
SILENT_AFTER = timedelta(minutes=1)
"""An executor silent for this long is taken for dead: another process resumes its pending workflows."""
QUEUES: dict[str, int] = {
    "imports": 2,  # jobs at once per process; each import sends its chunks in order
    "pushes": 8,
    "upkeep": 1,
}
QUEUE_POLL = 0.25
"""Seconds between two looks at a queue: a job starts at most this long after it was enqueued."""
STOP_TIMEOUT = 10.0
"""Seconds a stopping process waits for its running workflows to end before it lets go of them."""


def system_database_url(database_url: str) -> str:
    """Where the engine keeps its tables, derived from DATABASE_URL.

    PostgreSQL: the same database (the engine's tables live in their own schema, `dbos`). SQLite: a file of its
    own beside the app's, because the engine polls its tables several times a second and on one SQLite file
    every poll would wait behind the app's write lock (and the app's writes behind the polls).
    """
    url = normalise_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "loyalty-bot.db")
        return _render(url.set(database=str(path.with_name(f"{path.stem}.jobs{path.suffix or '.db'}"))))
    return _render(url.set(drivername="postgresql"))


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _prepare_sqlite(system_url: str) -> None:
    """A SQLite jobs file in WAL mode (the mode stays with the file). In the default rollback mode every step's
    checkpoint waits, in SQLite's busy-handler sleeps, for the queue pollers' reads to end: ~25 ms a step."""
    url = make_url(system_url)
    if url.get_backend_name() == "sqlite" and url.database:
        with closing(sqlite3.connect(url.database)) as db:
            use_wal(db)


@dataclass(frozen=True)
class Executor:
    """Who this process is to the engine: a name that stays the same across restarts of the same slot."""

    id: str
    slot: IO[str] | None = None
    """The locked slot file that reserves `id` on this machine (held until the process exits)."""


def claim_executor_id(explicit: str | None = None, *, role: str = "web", slots: int = 64) -> Executor:
    """A stable executor id for this process.

    `explicit` (LOYALTY_EXECUTOR_ID) wins. Otherwise the platform's dyno name ($DYNO, e.g. `web.1`) or the host
    name, plus the first free slot on this machine (`-0`, `-1`, … one per process of the same role), so that a
    restarted process takes its old name back and resumes its own pending work at once.
    """
    if explicit:
        return Executor(explicit)
    base = os.environ.get("DYNO") or f"{socket.gethostname()}-{role}"
    folder = Path(tempfile.gettempdir()) / "loyalty-bot-executors"
    folder.mkdir(exist_ok=True)
    for index in range(slots):
        handle = (folder / f"{base}-{index}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return Executor(f"{base}-{index}", handle)
    return Executor(f"{base}-{os.getpid()}")


class Engine:
    """DBOS for this process: started once, stopped once, with a heartbeat while it runs jobs."""

    def __init__(self, store: Store, database_url: str, *, run_jobs: bool = True, executor_id: str | None = None,
                 role: str = "web", schema: str = "dbos", settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings
        """For the schedules (the weekly digest); None: upkeep only."""
        self.system_url = system_database_url(database_url)
        self.run_jobs = run_jobs
        self.schema = schema
        self.executor = claim_executor_id(executor_id, role=role if run_jobs else f"{role}-enqueue")
        self._stopping = threading.Event()
        self._heart: threading.Thread | None = None
        self.started = False

    @property
    def executor_id(self) -> str:
        return self.executor.id

    def config(self) -> dict[str, Any]:
        from dbos._serialization import DBOSPortableJSON

        return {
            "name": APP_NAME,
            "system_database_url": self.system_url,
            "application_version": JOBS_VERSION,
            "executor_id": self.executor.id,
            "serializer": DBOSPortableJSON,  # JSON, never pickle: the database holds data, not code
            "notification_listener_polling_interval_sec": 0.2,
            "scheduler_polling_interval_sec": 5.0,
            "log_level": "WARNING",
            "run_migrations": True,
            "dbos_system_schema": self.schema,
        }

    def start(self) -> Engine:
        from dbos import DBOS

        import bot.jobs.held
        import bot.jobs.imports  # noqa: F401
        from bot.jobs import upkeep

        _prepare_sqlite(self.system_url)
        DBOS(config=self.config())  # type: ignore[arg-type]
        if not self.run_jobs:
            DBOS.listen_queues([])  # enqueue only: the workers take the jobs
        DBOS.launch()
        for name, concurrency in QUEUES.items():
            DBOS.register_queue(name, worker_concurrency=concurrency, polling_interval_sec=QUEUE_POLL)
        upkeep.schedule(self.settings)
        self.started = True
        if self.run_jobs:
            self._heart = threading.Thread(target=self._beat, name="jobs-heartbeat", daemon=True)
            self._heart.start()
        log.info("job engine started (executor %s, %s)", self.executor.id,
                 "running jobs" if self.run_jobs else "enqueue only")
        return self

    def _beat(self) -> None:
        while True:
            try:
                self.store.executors.beat(self.executor.id, JOBS_VERSION, datetime.now(UTC))
                self.recover_silent()
            except Exception:
                log.exception("job engine heartbeat failed")
            if self._stopping.wait(HEARTBEAT_EVERY):
                return

    def recover_silent(self, now: datetime | None = None) -> list[str]:
        """Resume here the pending workflows of executors silent for `SILENT_AFTER` (a process that died and
        did not come back under its old name: a new container, a scaled-down dyno). Each silent executor is
        claimed by one process only."""
        from dbos import DBOS

        since = (now or datetime.now(UTC)) - SILENT_AFTER
        taken = []
        for executor_id in self.store.executors.silent(JOBS_VERSION, since):
            if executor_id == self.executor.id or not self.store.executors.forget(executor_id, since):
                continue
            handles = DBOS._recover_pending_workflows([executor_id])
            log.warning("resumed %d pending job(s) of silent executor %s", len(handles), executor_id)
            taken.append(executor_id)
        return taken

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop taking jobs; give running workflows `timeout` seconds to end, then let go of them.

        A workflow still running then loses the engine at its next step boundary: the step on the wire finishes
        and settles its ledger, and the workflow stays pending, to resume from there on the next start.
        """
        if not self.started:
            return
        from dbos import DBOS

        self._stopping.set()
        if self._heart is not None:
            self._heart.join(timeout=5)
        deadline = time.monotonic() + timeout
        while self.run_jobs and context.jobs_running() and time.monotonic() < deadline:
            time.sleep(0.1)
        DBOS.destroy(workflow_completion_timeout_sec=0)
        self.started = False
        log.info("job engine stopped (executor %s)", self.executor.id)



