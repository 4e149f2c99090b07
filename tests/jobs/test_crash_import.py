"""An import survives `kill -9` of the serving process: started again on the same database, it carries on, and
every row ends up a member exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, render_message
from localstack.stack import GENERAL, OPERATOR
from tests.app.test_import import members_csv
from tests.app.test_serving import SIGNING_SECRET, _serve_env
from tests.jobs.processes import created, kill_tree, serving, wait

ROWS = 1_000  # ten chunks of 100


def test_an_import_killed_mid_way_resumes_after_restart_and_creates_every_row_exactly_once(
        stand_ins: tuple[SandboxServer, FakeSlack], bot_database: dict[str, str], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    slack.add_user(OPERATOR, "omar")
    slack.add_channel(GENERAL, "general")
    env = _serve_env(sandbox, slack, tmp_path, LOYALTY_OPERATORS=OPERATOR, LOYALTY_IMPORT_CHUNK_SIZE="100",
                     **bot_database)
    sandbox.faults.latency(0.4, path="/stats/bulk")  # a chunk takes 0.4 s: the kill lands mid-import
    with serving(env, tmp_path) as (process, url), \
            SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
        driver.command(f"import {DEMO_STAMP_CARD_ID}", user=OPERATOR, channel=GENERAL)
        form = slack.wait_for_modal(OPERATOR, callback_id=ids.IMPORT_VIEW, timeout=15)
        driver.submit(form, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(ROWS).encode())]}, user=OPERATOR)
        preview = slack.wait_for(lambda: ((m := slack.modal(OPERATOR)) and m.callback_id == ids.IMPORT_PREVIEW_VIEW
                                          and m) or None, timeout=15)
        driver.click(preview, action_id=ids.IMPORT_RUN, user=OPERATOR)
        wait(lambda: len(sandbox.find_requests("POST", "/stats/bulk")) >= 4, 30)
        kill_tree(process.pid)
    before = len(created(sandbox))
    assert before < ROWS, "the kill landed before the end"

    with serving(env, tmp_path):  # the same database: the import carries on by itself
        finished = slack.wait_for(lambda: next((m for m in slack.messages(GENERAL)
                                                if "is finished" in render_message(m)), None), timeout=60)
    assert f"{ROWS:,} of {ROWS:,}" in render_message(finished)
    assert sorted(created(sandbox)) == sorted(f"member{n}@example.com" for n in range(ROWS)), "each row exactly once"
    assert any("Resumed after a restart" in str(call.params) for call in slack.calls("chat.update")), \
        "the progress message said the import resumed"
