"""Processes: SIGTERM in the middle of an import leaves the rest to the next start; a web process that only
enqueues and two workers on one PostgreSQL database run each import once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from bot.sandbox import SandboxServer
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, render_message
from localstack.stack import GENERAL, OPERATOR
from tests.app.test_import import members_csv
from tests.app.test_serving import SIGNING_SECRET, _serve_env
from tests.jobs.processes import created, kill_tree, serving, wait


def _start_import(slack: FakeSlack, url: str, rows: int) -> None:
    with SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
        driver.command("import 481516", user=OPERATOR, channel=GENERAL)
        form = slack.wait_for_modal(OPERATOR, callback_id=ids.IMPORT_VIEW, timeout=15)
        driver.submit(form, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(rows).encode())]}, user=OPERATOR)
        preview = slack.wait_for(lambda: ((m := slack.modal(OPERATOR)) and m.callback_id == ids.IMPORT_PREVIEW_VIEW
                                          and m) or None, timeout=15)
        driver.click(preview, action_id=ids.IMPORT_RUN, user=OPERATOR)


def _report(slack: FakeSlack, timeout: float) -> str:
    return render_message(slack.wait_for(lambda: next((m for m in slack.messages(GENERAL)
                                                       if "is finished" in render_message(m)), None),
                                         timeout=timeout))


def _env(stand_ins: tuple[SandboxServer, FakeSlack], database: dict[str, str], tmp_path: Path) -> dict[str, str]:
    sandbox, slack = stand_ins
    slack.add_user(OPERATOR, "omar")
    slack.add_channel(GENERAL, "general")
    return _serve_env(sandbox, slack, tmp_path, LOYALTY_OPERATORS=OPERATOR, LOYALTY_IMPORT_CHUNK_SIZE="50",
                      **database)


def test_sigterm_mid_import_exits_promptly_and_the_rest_is_sent_after_the_next_start(
        stand_ins: tuple[SandboxServer, FakeSlack], bot_database: dict[str, str], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _env(stand_ins, bot_database, tmp_path)
    rows = 1_500  # 30 chunks of 50 at 0.5 s: longer than a stopping process waits for its jobs
    sandbox.faults.latency(0.5, path="/stats/bulk")
    with serving(env, tmp_path) as (process, url):
        _start_import(slack, url, rows)
        wait(lambda: len(sandbox.find_requests("POST", "/stats/bulk")) >= 3, 30)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - started < 25, "a platform would have killed it"
    assert len(created(sandbox)) < rows, "stopped before the end"

    with serving(env, tmp_path):
        assert f"{rows:,} of {rows:,}" in _report(slack, 60)
    assert sorted(created(sandbox)) == sorted(f"member{n}@example.com" for n in range(rows))


@contextmanager
def _worker(env: dict[str, str], cwd: Path, name: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env, cwd=cwd,
                               stdout=(cwd / f"{name}.log").open("a"), stderr=subprocess.STDOUT, text=True)
    try:
        yield process
    finally:
        kill_tree(process.pid)
        process.wait(timeout=10)


@pytest.mark.postgres
def test_a_web_process_that_only_enqueues_and_two_workers_run_each_import_once(
        stand_ins: tuple[SandboxServer, FakeSlack], make_pg_url: Callable[[], str], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    database = {"DATABASE_URL": make_pg_url(), "LOYALTY_JOBS_SCHEMA": f"jobs_{uuid.uuid4().hex[:12]}"}
    env = _env(stand_ins, database, tmp_path)
    sandbox.faults.latency(0.05, path="/stats/bulk")
    with ExitStack() as running:
        _process, url = running.enter_context(serving(env, tmp_path, "--no-worker"))
        running.enter_context(_worker({**env, "LOYALTY_EXECUTOR_ID": "worker-a"}, tmp_path, "a"))
        running.enter_context(_worker({**env, "LOYALTY_EXECUTOR_ID": "worker-b"}, tmp_path, "b"))
        _start_import(slack, url, 500)
        assert "500 of 500" in _report(slack, 60)
    assert sorted(created(sandbox)) == sorted(f"member{n}@example.com" for n in range(500))
    assert len(sandbox.find_requests("POST", "/stats/bulk")) == 10, "each chunk sent once"
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "worker running jobs" in logs
