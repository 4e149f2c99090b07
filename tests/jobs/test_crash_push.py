"""Pushes across `kill -9` of the serving process and a restart on the same database (SQLite and PostgreSQL): one
whose call is on the wire is never sent again, and the request in the approvals channel and the requester are
told it is unknown and how to check; a scheduled one approved before the kill goes out once, at its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text, update

from bot.jobs.engine import system_database_url
from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from bot.store.models.tables import held_changes
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, controls, render_message
from localstack.stack import ADMIN, APPROVALS, OPERATOR
from tests.app.test_serving import SIGNING_SECRET, _serve_env
from tests.jobs.processes import kill_tree, serving, wait
from tests.store.conftest import direct_connection

RESTARTED = "the bot restarted while sending"


def _enqueued(env: dict[str, str], workflow_id: str) -> bool:
    """Whether the engine has stored this job (in its own tables, beside the app's)."""
    schema = env.get("LOYALTY_JOBS_SCHEMA", "dbos")
    engine = create_engine(system_database_url(env["DATABASE_URL"]))
    table = "workflow_status" if engine.dialect.name == "sqlite" else f'"{schema}".workflow_status'
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT 1 FROM {table} WHERE workflow_uuid = :id"),  # noqa: S608
                                      {"id": workflow_id}).first() is not None
    finally:
        engine.dispose()


def _people_and_env(sandbox: SandboxServer, slack: FakeSlack, tmp_path: Path,
                    db_env: dict[str, str]) -> dict[str, str]:
    """omar asks for pushes, alice approves them in #approvals: the environment of `serve` for that."""
    slack.add_user(OPERATOR, "omar")
    slack.add_user(ADMIN, "alice")
    slack.add_channel(APPROVALS, "approvals")
    return _serve_env(sandbox, slack, tmp_path, LOYALTY_OPERATORS=OPERATOR, LOYALTY_ADMINS=ADMIN,
                      LOYALTY_APPROVALS_CHANNEL=APPROVALS, **db_env)


def test_a_push_on_the_wire_when_the_bot_is_killed_is_never_resent_and_is_told_unknown(
        stand_ins: tuple[SandboxServer, FakeSlack], bot_database: dict[str, str], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _people_and_env(sandbox, slack, tmp_path, bot_database)
    # The push reaches the loyalty service and is applied; the answer never comes while the bot lives.
    sandbox.faults.drop(path="/push-notifications", after_apply=True, hang=5)
    with serving(env, tmp_path) as (process, url), \
            SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
        driver.command(f"push {DEMO_STAMP_CARD_ID} Hello everyone", user=OPERATOR, channel=APPROVALS)
        request = slack.wait_for(lambda: next(iter(slack.messages(APPROVALS)), None), timeout=15)
        approve = next(c for c in controls(request.blocks) if c.action_id == ids.APPROVAL_APPROVE)
        driver.click(request, choice=approve, user=ADMIN)
        wait(lambda: sandbox.find_requests("POST", "/push-notifications"), 30)
        kill_tree(process.pid)
    assert "sending now" in render_message(request)
    assert len(sandbox.state.pushes) == 1

    with serving(env, tmp_path):  # the same database: the job resumes and finds the push already sent
        shown = slack.wait_for(lambda: next((text for text in [render_message(request)] if RESTARTED in text), None),
                               timeout=60)
        told = slack.wait_for(lambda: next((call for call in slack.calls("chat.postEphemeral")
                                            if RESTARTED in str(call.params)), None), timeout=30)
    assert f"/loyalty member {DEMO_STAMP_CARD_ID}" in shown
    assert not controls(request.blocks)
    assert told.params["user"] == OPERATOR
    assert len(sandbox.find_requests("POST", "/push-notifications")) == 1, "never sent again"
    assert len(sandbox.state.pushes) == 1


def test_a_scheduled_push_approved_before_a_kill_goes_out_once_after_the_restart_and_not_early(
        stand_ins: tuple[SandboxServer, FakeSlack], bot_database: dict[str, str], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _people_and_env(sandbox, slack, tmp_path, bot_database)
    with serving(env, tmp_path) as (process, url), \
            SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
        driver.command(f"push {DEMO_STAMP_CARD_ID} --at +1m Happy hour", user=OPERATOR, channel=APPROVALS)
        request = slack.wait_for(lambda: next(iter(slack.messages(APPROVALS)), None), timeout=15)
        send_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
        with direct_connection(env["DATABASE_URL"]) as db:  # sooner than a minute, to keep the test short
            [(held_id, params)] = db.execute(select(held_changes.c.id, held_changes.c.params)).all()
            db.execute(update(held_changes).where(held_changes.c.id == held_id)
                       .values(params={**params, "send_at": send_at.isoformat()}))
        approve = next(c for c in controls(request.blocks) if c.action_id == ids.APPROVAL_APPROVE)
        driver.click(request, choice=approve, user=ADMIN)
        slack.wait_for(lambda: "Approved by" in render_message(request) or None, timeout=15)
        wait(lambda: _enqueued(env, f"held-{held_id}"), 15)  # the click's job is stored: then kill
        kill_tree(process.pid)
    assert datetime.now(UTC) < send_at, "the kill landed before the time"
    assert sandbox.find_requests("POST", "/push-notifications") == []

    with serving(env, tmp_path):  # the same database: the push waits for its time, then goes out once
        slack.wait_for(lambda: "and sent" in render_message(request) or None, timeout=60)
    [sent] = sandbox.find_requests("POST", "/push-notifications")
    assert sent.time >= send_at.timestamp(), "not before its time"
    assert len(sandbox.state.pushes) == 1
