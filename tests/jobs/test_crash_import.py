"""An import survives `kill -9` of the serving process: started again on the same database, it carries on, and
every row ends up a member exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, render_message
from localstack.stack import GENERAL, OPERATOR
from tests.app.test_import import members_csv
from tests.app.test_serving import SIGNING_SECRET, _healthy_url, _serve_env
from tests.store.conftest import POSTGRES_URL, make_pg_url, make_sqlite_url  # noqa: F401 - fixtures

ROWS = 1_000  # ten chunks of 100


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """DATABASE_URL (and, on PostgreSQL, a jobs schema of its own) for the bot processes of one test."""
    if request.param == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
        return
    schema = f"jobs_{uuid.uuid4().hex[:12]}"
    yield {"DATABASE_URL": request.getfixturevalue("make_pg_url")(), "LOYALTY_JOBS_SCHEMA": schema}
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _created(sandbox: SandboxServer) -> list[str]:
    with sandbox.state.lock:
        return [str(m.get("email")) for m in sandbox.state.members.values()
                if m["card_id"] == DEMO_STAMP_CARD_ID and str(m.get("first_name", "")).startswith("Member")]


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`loyalty-bot serve` with its URL once healthy; the process and its serving processes killed after."""
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=cwd,
                               stdout=(cwd / "serve.log").open("a"), stderr=subprocess.STDOUT, text=True)
    try:
        yield process, _healthy_url(process, env)
    finally:
        kill_tree(process.pid)
        process.wait(timeout=10)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every process below it (granian's serving processes), as a host that dies would."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(children.get(current, []))
    for member in tree:
        with suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def _wait(predicate: Callable[[], object], seconds: float) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_an_import_killed_mid_way_resumes_after_restart_and_creates_every_row_exactly_once(
        stand_ins: tuple[SandboxServer, FakeSlack], database: dict[str, str], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    slack.add_user(OPERATOR, "omar")
    slack.add_channel(GENERAL, "general")
    env = _serve_env(sandbox, slack, tmp_path, LOYALTY_OPERATORS=OPERATOR, LOYALTY_IMPORT_CHUNK_SIZE="100",
                     **database)
    sandbox.faults.latency(0.4, path="/stats/bulk")  # a chunk takes 0.4 s: the kill lands mid-import
    with serving(env, tmp_path) as (process, url), \
            SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
        driver.command(f"import {DEMO_STAMP_CARD_ID}", user=OPERATOR, channel=GENERAL)
        form = slack.wait_for_modal(OPERATOR, callback_id=ids.IMPORT_VIEW, timeout=15)
        driver.submit(form, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(ROWS).encode())]}, user=OPERATOR)
        preview = slack.wait_for(lambda: ((m := slack.modal(OPERATOR)) and m.callback_id == ids.IMPORT_PREVIEW_VIEW
                                          and m) or None, timeout=15)
        driver.click(preview, action_id=ids.IMPORT_RUN, user=OPERATOR)
        _wait(lambda: len(sandbox.find_requests("POST", "/stats/bulk")) >= 4, 30)
        kill_tree(process.pid)
    before = len(_created(sandbox))
    assert before < ROWS, "the kill landed before the end"

    with serving(env, tmp_path):  # the same database: the import carries on by itself
        finished = slack.wait_for(lambda: next((m for m in slack.messages(GENERAL)
                                                if "is finished" in render_message(m)), None), timeout=60)
    assert f"{ROWS:,} of {ROWS:,}" in render_message(finished)
    created = _created(sandbox)
    assert sorted(created) == sorted(f"member{n}@example.com" for n in range(ROWS)), "each row exactly once"
    assert any("Resumed after a restart" in str(call.params) for call in slack.calls("chat.update")), \
        "the progress message said the import resumed"
