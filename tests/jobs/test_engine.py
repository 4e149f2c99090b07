"""The job engine survives `kill -9`: a job resumes after a restart, on SQLite and on PostgreSQL, and finished
steps are not run again; a job of a process that never comes back is resumed by another one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bot.jobs.engine import SILENT_AFTER, claim_executor_id, system_database_url
from tests.store.conftest import POSTGRES_URL, direct_connection, make_pg_url, make_sqlite_url  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_jobs_live_in_a_file_beside_the_app_database() -> None:
    assert system_database_url("sqlite:////data/loyalty-bot.db") == "sqlite:////data/loyalty-bot.jobs.db"
    assert system_database_url("sqlite:///bot.sqlite3") == "sqlite:///bot.jobs.sqlite3"


def test_postgresql_jobs_live_in_the_same_database() -> None:
    assert system_database_url("postgres://u:p@db:5432/loyalty") == "postgresql://u:p@db:5432/loyalty"


def test_a_restarted_process_takes_its_executor_id_back(tmp_path: Path) -> None:
    role = f"test-{uuid.uuid4().hex[:6]}"
    first, second = claim_executor_id(role=role), claim_executor_id(role=role)
    assert first.id != second.id
    assert first.slot is not None
    first.slot.close()  # the process holding it died
    assert claim_executor_id(role=role).id == first.id


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """An app database URL and a schema of its own for the engine's tables (dropped after the test)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("make_sqlite_url")(), "dbos"
        return
    url = request.getfixturevalue("make_pg_url")()
    schema = f"jobs_{uuid.uuid4().hex[:12]}"
    yield url, schema
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


class Job:
    """One `tests.jobs.crashy` process."""

    def __init__(self, url: str, schema: str, log: Path, steps: int, *extra: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-m", "tests.jobs.crashy", url, schema, str(log), str(steps), *extra],
            cwd=ROOT, stdout=(log.parent / "job.out").open("a"), stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def jobs() -> Iterator[list[Job]]:
    started: list[Job] = []
    yield started
    for job in started:
        if job.process.poll() is None:
            job.kill()


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def _wait(predicate: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _killed_in_step(database: tuple[str, str], jobs: list[Job], log: Path, steps: int, executor: str,
                    step: int) -> None:
    """A job of `steps` steps enqueued by `executor`'s process, which is killed inside step number `step`."""
    jobs.append(Job(*database, log, steps, executor, "--enqueue"))
    _wait(lambda: f"start {step}" in _lines(log), 60)
    jobs[0].kill()
    assert f"done {step}" not in _lines(log)


def test_a_job_killed_mid_step_resumes_after_restart_without_repeating_finished_steps(
        database: tuple[str, str], jobs: list[Job], tmp_path: Path) -> None:
    url, schema = database
    log = tmp_path / "steps.log"
    executor = f"crash-{uuid.uuid4().hex[:6]}"
    _killed_in_step(database, jobs, log, 6, executor, 2)

    jobs.append(Job(url, schema, log, 6, executor))  # same executor: resumes at launch
    _wait(lambda: "done 5" in _lines(log), 60)
    lines = _lines(log)
    assert [line for line in lines if line.startswith("done")] == [f"done {i}" for i in range(6)]
    assert lines.count("start 0") == lines.count("start 1") == 1  # finished steps never ran again
    assert lines.count("start 2") == 2  # the step on the wire at the kill runs again: steps keep ledgers


def test_a_job_of_an_executor_that_never_comes_back_is_resumed_by_another(
        database: tuple[str, str], jobs: list[Job], tmp_path: Path) -> None:
    url, schema = database
    log = tmp_path / "steps.log"
    dead = f"dead-{uuid.uuid4().hex[:6]}"
    _killed_in_step(database, jobs, log, 4, dead, 1)
    with direct_connection(url) as connection:  # its last heartbeat, a minute ago
        from sqlalchemy import update

        from bot.store.models.tables import job_executors

        connection.execute(update(job_executors).where(job_executors.c.id == dead).values(
            seen_at=datetime.now(UTC) - SILENT_AFTER - timedelta(seconds=5)))
    jobs.append(Job(url, schema, log, 4, f"live-{uuid.uuid4().hex[:6]}"))
    _wait(lambda: "done 3" in _lines(log), 60)
    assert _lines(log).count("start 0") == 1
