"""An approved push whose call is on the wire when the serving process is killed (`kill -9`) is never sent again:
after the restart the request in the approvals channel and the requester are told it is unknown and how to
check (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, controls, render_message
from localstack.stack import ADMIN, APPROVALS, OPERATOR
from tests.app.test_serving import SIGNING_SECRET, _serve_env
from tests.jobs.test_crash_import import _wait, database, kill_tree, serving  # noqa: F401 - fixture
from tests.store.conftest import make_pg_url  # noqa: F401 - fixture

RESTARTED = "the bot restarted while sending"


def test_a_push_on_the_wire_when_the_bot_is_killed_is_never_resent_and_is_told_unknown(
        stand_ins: tuple[SandboxServer, FakeSlack], database: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    sandbox, slack = stand_ins
    slack.add_user(OPERATOR, "omar")
    slack.add_user(ADMIN, "alice")
    slack.add_channel(APPROVALS, "approvals")
    env = _serve_env(sandbox, slack, tmp_path, LOYALTY_OPERATORS=OPERATOR, LOYALTY_ADMINS=ADMIN,
                     LOYALTY_APPROVALS_CHANNEL=APPROVALS, **database)
    # The push reaches the loyalty service and is applied; the answer never comes while the bot lives.
    sandbox.faults.drop(path="/push-notifications", after_apply=True, hang=5)
    with serving(env, tmp_path) as (process, url), \
            SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
        driver.command(f"push {DEMO_STAMP_CARD_ID} Hello everyone", user=OPERATOR, channel=APPROVALS)
        request = slack.wait_for(lambda: next(iter(slack.messages(APPROVALS)), None), timeout=15)
        approve = next(c for c in controls(request.blocks) if c.action_id == ids.APPROVAL_APPROVE)
        driver.click(request, choice=approve, user=ADMIN)
        _wait(lambda: sandbox.find_requests("POST", "/push-notifications"), 30)
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
