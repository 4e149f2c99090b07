"""Exactly once across processes: two full bots (separate OS processes) share one PostgreSQL, one sandbox API
and one Slack stand-in; twenty clicks at once on the same confirmation, and on the same approval, spread over
both, make exactly one API call each. The same holds for one bot on SQLite taking the clicks on many threads."""

from __future__ import annotations

import multiprocessing
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_services, build_wsgi
from bot.config import Settings
from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID, SandboxServer
from bot.views import ids
from localstack.slack import Control, FakeSlack, SlackDriver, controls, render_message
from localstack.stack import API_KEY, API_SECRET, APPROVALS, BOT_TOKEN, PEOPLE, LocalStack
from localstack.web import HttpServer
from tests.store import conftest as store_fixtures

make_pg_url = store_fixtures.make_pg_url  # a fresh PostgreSQL schema per test; skips (or fails under CI) without one

CLICKS = 20
OPERATOR, ADMIN, ADMIN2 = "U0OPERATOR", "U0ADMIN", "U0ADMIN2"
STARTUP_S = 120


def serve_bot(values: dict[str, Any], urls: Queue, stop: Event) -> None:
    """One bot process exactly as production runs it: settings, services, the Bolt app, the HTTP server."""
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    services = build_services(settings)
    services.start_jobs()  # `serve` runs the jobs in the serving process: the click's job runs in one of them
    server = HttpServer(build_wsgi(settings, services)).start()
    urls.put(server.url)
    stop.wait(600)
    server.stop()
    services.close()


@dataclass
class World:
    """What the bots share: the sandbox API and the Slack stand-in, started by the test."""

    sandbox: SandboxServer
    slack: FakeSlack
    signing_secret: str
    jobs_schema: str = field(default_factory=lambda: f"jobs_{secrets.token_hex(6)}")
    """The job engine's tables, of this test alone (on PostgreSQL)."""

    def settings(self, database_url: str) -> dict[str, Any]:
        return {
            "slack_bot_token": BOT_TOKEN, "slack_signing_secret": self.signing_secret, "slack_app_token": None,
            "slack_api_url": self.slack.api_url, "coupontools_api_key": API_KEY,
            "coupontools_api_secret": API_SECRET, "coupontools_base_url": self.sandbox.base_url,
            "database_url": database_url, "loyalty_viewers": ("U0VIEWER",), "loyalty_operators": (OPERATOR,),
            "loyalty_admins": (ADMIN, ADMIN2), "loyalty_approvals_channel": APPROVALS,
            "loyalty_jobs_schema": self.jobs_schema,
        }


def _drop_schema(schema: str) -> None:
    import psycopg
    from psycopg import sql

    with suppress(psycopg.Error), psycopg.connect(store_fixtures.POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def world() -> Iterator[World]:
    sandbox = SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0).start()
    slack = FakeSlack(bot_token=BOT_TOKEN).start()
    for person in PEOPLE:
        slack.add_user(person.user_id, person.name)
    slack.add_channel(APPROVALS, "approvals")
    world = World(sandbox, slack, secrets.token_hex(16))
    yield world
    _drop_schema(world.jobs_schema)
    slack.stop()
    sandbox.stop()
    assert not slack.violations, f"Slack would have refused: {slack.violations}"


@contextmanager
def bot_processes(world: World, database_url: str, count: int = 2) -> Iterator[list[SlackDriver]]:
    """`count` bot processes on the shared database; a signed-request driver aimed at each."""
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    processes = [context.Process(target=serve_bot, args=(world.settings(database_url), urls, stop))
                 for _ in range(count)]
    for process in processes:
        process.start()
    drivers: list[SlackDriver] = []
    try:
        drivers = [SlackDriver(world.slack, app_url=f"{urls.get(timeout=STARTUP_S)}/slack/events",
                               signing_secret=world.signing_secret) for _ in processes]
        yield drivers
    finally:
        stop.set()
        for driver in drivers:
            driver.close_connection()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)


def click_together(drivers: list[SlackDriver], target: Any, control: Control, users: list[str]) -> None:
    """CLICKS signed clicks released at once, spread over the drivers (so over the processes) and users."""
    barrier = threading.Barrier(CLICKS)

    def click(n: int) -> int:
        barrier.wait(timeout=60)
        return drivers[n % len(drivers)].click(target, choice=control, user=users[n % len(users)]).status

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        assert list(pool.map(click, range(CLICKS))) == [200] * CLICKS


def button(message: Any, action_id: str) -> Control:
    return next(c for c in controls(message.blocks) if c.action_id == action_id)


def confirmation_runs_once(slack: FakeSlack, sandbox: SandboxServer, drivers: list[SlackDriver]) -> None:
    assert drivers[0].command(f"void {DEMO_STAMP_CARD_ID} {DEMO_GRACE_ID}", user=ADMIN).ok
    confirmation = drivers[0].wait_reply(ADMIN, timeout=30)
    since = slack.mark()
    click_together(drivers, confirmation, button(confirmation, ids.CONFIRM_RUN), [ADMIN])
    # each click is answered (the winner's job with the outcome, the others with "already done")
    slack.wait_for(lambda: len(slack.calls("response_url", since=since)) >= CLICKS
                   and "Done" in render_message(confirmation), timeout=60, what="an answer to every click")
    assert len(sandbox.find_requests("PUT", "/void")) == 1
    assert "Done" in render_message(confirmation)
    assert sandbox.state.members[DEMO_GRACE_ID]["voided_at"] is not None


def approval_runs_once(slack: FakeSlack, sandbox: SandboxServer, drivers: list[SlackDriver]) -> None:
    assert drivers[-1].command(f"push {DEMO_STAMP_CARD_ID} Exactly once, please", user=OPERATOR).ok
    request = slack.wait_for(lambda: next(iter(slack.messages(APPROVALS)), None), timeout=30)
    since = slack.mark()
    click_together(drivers, request, button(request, ids.APPROVAL_APPROVE), [ADMIN, ADMIN2])
    # the winner updates the request; the nineteen others are each told it is already approved
    slack.wait_for(lambda: len(slack.calls("response_url", since=since)) >= CLICKS - 1
                   and "delivered it" in render_message(request), timeout=60, what="every click answered")
    assert len(sandbox.find_requests("POST", "/push-notifications")) == 1
    assert len(sandbox.state.pushes) == 1


Scenario = Callable[[FakeSlack, SandboxServer, list[SlackDriver]], None]


@pytest.mark.postgres
@pytest.mark.parametrize("scenario", [confirmation_runs_once, approval_runs_once])
def test_two_bot_processes_on_postgresql_run_each_click_target_once(
    world: World, make_pg_url: Callable[[], str], scenario: Scenario
) -> None:
    with bot_processes(world, make_pg_url()) as drivers:
        scenario(world.slack, world.sandbox, drivers)


@pytest.mark.parametrize("scenario", [confirmation_runs_once, approval_runs_once])
def test_one_bot_on_sqlite_with_concurrent_threads_runs_each_click_target_once(
    tmp_path: Path, scenario: Scenario
) -> None:
    with LocalStack(workdir=tmp_path) as stack:
        scenario(stack.slack, stack.sandbox, [stack.driver])
        assert not stack.slack.violations
