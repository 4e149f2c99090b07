"""Upkeep: expired approvals lose their buttons, an import whose job went missing is picked up, old records go."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from dbos import DBOS
from sqlalchemy import update

from bot.jobs import upkeep
from bot.sandbox import DEMO_STAMP_CARD_ID
from bot.store.models.tables import held_changes
from localstack.slack import controls
from localstack.stack import LocalStack
from tests.app.test_import import imported, members_csv
from tests.app.test_pushes import request_push, wait_text
from tests.store.conftest import direct_connection


def test_an_approval_request_past_its_expiry_says_expired_and_loses_its_buttons(stack: LocalStack) -> None:
    _, request = request_push(stack, f"push {DEMO_STAMP_CARD_ID} Old news")
    with direct_connection(stack.database_url) as db:
        db.execute(update(held_changes).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert upkeep.expire_held() == 1
    wait_text(stack, request, "Expired")
    assert not controls(request.blocks)
    assert upkeep.expire_held() == 0, "expired once"


@pytest.mark.parametrize("run", [
    pytest.param(upkeep.resume_imports, id="the step alone"),
    pytest.param(lambda: DBOS.start_workflow(upkeep.upkeep, datetime.now(UTC), None).get_result(),
                 id="the scheduled workflow"),
])
def test_an_import_stored_but_never_enqueued_is_run_by_upkeep(stack: LocalStack, run: Callable[[], object]) -> None:
    from bot.imports.check import check
    from bot.imports.csvfile import read_table
    from bot.interaction import Interaction

    checked = check(read_table(members_csv(120)))
    who = Interaction(user_id="U0OPERATOR", client=stack.services.slack, channel_id="C0GENERAL")
    held = stack.services.store.held.create(kind="confirmation", action="member.import", params={},
                                            requester=who.user_id, team_id=None, channel_id=who.channel_id,
                                            ttl=timedelta(minutes=5))
    assert stack.services.store.held.claim(held.id, by=who.user_id)
    stack.services.store.imports.create(
        held.id, card_id=DEMO_STAMP_CARD_ID, requester=who.user_id, team_id=None, channel_id="C0GENERAL",
        fields=checked.table.fields, chunk_size=100, rows=checked.total, skipped=0,
        good=[(line, values) for line, values, _extra in checked.ok])  # the process died before enqueueing
    run()
    stack.slack.wait_for(lambda: len(imported(stack)) == 120 and stack.services.store.imports.running() == [],
                         timeout=20)
    assert stack.services.store.held.get(held.id).state == "done"


def test_finished_import_ledgers_past_retention_are_deleted(stack: LocalStack) -> None:
    store = stack.services.store
    store.imports.create("old", card_id=1, requester="U1", team_id=None, channel_id="C1", fields=["email"],
                         chunk_size=10, rows=1, skipped=0, good=[(2, ["a@example.com"])])
    store.imports.finish("old", now=datetime.now(UTC) - timedelta(days=40))
    store.imports.create("new", card_id=1, requester="U1", team_id=None, channel_id="C1", fields=["email"],
                         chunk_size=10, rows=1, skipped=0, good=[(2, ["b@example.com"])])
    store.imports.finish("new")
    assert upkeep.prune_ledgers((datetime.now(UTC) - timedelta(days=30)).isoformat()) == 1
    assert store.imports.get("old") is None
    assert store.imports.get("new") is not None
    assert store.imports.chunks("old") == []
