"""Upgrading a database written by revision 0001: every held confirmation and approval still works."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.held import Plan
from bot.store import Store
from bot.store.db import MIGRATIONS_DIR
from bot.store.models.records import utc_now
from bot.store.models.tables import UTCDateTime
from tests.store.conftest import direct_connection

REQUESTER, APPROVER = "U_MARKETING", "U_ADMIN"

_WHEN = ("created_at", "expires_at", "claimed_at", "finished_at", "approved_at", "rejected_at", "cancelled_at")


def _old_table(name: str, row: dict[str, Any]) -> sa.TableClause:
    """Just the columns `row` fills, typed as revision 0001's code wrote them."""
    return sa.table(name, *(sa.column(key, UTCDateTime() if key in _WHEN else sa.JSON() if key in (
        "params", "recipient_ids") else None) for key in row))


def _insert(connection: sa.Connection, name: str, row: dict[str, Any]) -> None:
    connection.execute(sa.insert(_old_table(name, row)).values(row))


def _database_at_0001(url: str) -> None:
    now = utc_now()
    common = {"requester": REQUESTER, "team_id": "T1", "state": "pending", "created_at": now,
              "expires_at": now + timedelta(minutes=15)}
    with direct_connection(url) as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        _insert(connection, "confirmations", {**common, "id": "a" * 32, "action": "void", "channel_id": "C1",
                                              "params": {"card_id": 7, "card_name": "Coffee",
                                                         "members": [[101, "Ada Lovelace"]]}})
        _insert(connection, "confirmations", {**common, "id": "b" * 32, "action": "push", "channel_id": "C1",
                                              "params": {"card_id": 7, "card_name": "Coffee",
                                                         "members": [[101, "Ada"], [102, "Grace"]],
                                                         "message": "Free coffee"}})
        _insert(connection, "confirmations", {**common, "id": "c" * 32, "action": "member.import",
                                              "channel_id": None,
                                              "params": {"card_id": 7, "file_id": "F1", "rows": 3}})
        _insert(connection, "approvals", {**common, "id": "d" * 32, "card_id": 7, "message": "Double stamps!",
                                          "recipient_ids": None, "recipient_count": 1200, "channel_id": "C_ASK",
                                          "message_channel_id": "C_APPROVALS", "message_ts": "1700000000.1",
                                          "expires_at": now + timedelta(hours=24)})
        _insert(connection, "approvals", {**common, "id": "e" * 32, "card_id": 7, "message": "Wrong card",
                                          "recipient_ids": [11, 12], "recipient_count": 2, "channel_id": "C_ASK",
                                          "state": "rejected", "rejected_by": APPROVER, "rejected_at": now,
                                          "rejection_reason": "wrong card"})


def test_upgrade_carries_pending_records_of_every_kind_into_the_one_store(database_url: str) -> None:
    _database_at_0001(database_url)
    with Store.connect(database_url) as store:
        assert store.migrated
        void, push, imported, approval = (store.held.get(letter * 32) for letter in "abcd")
        assert void is not None
        assert push is not None
        assert imported is not None
        assert approval is not None
        assert {held.kind for held in (void, push, imported)} == {"confirmation"}
        assert {held.state for held in (void, push, imported, approval)} == {"pending"}
        assert all(held.is_open() and held.requester == REQUESTER for held in (void, push, imported, approval))

        plan = Plan.of(void)
        assert plan is not None
        assert (plan.action, plan.card_id, plan.members[0].name) == ("void", 7, "Ada Lovelace")
        assert Plan.of(push) is not None
        claimed = store.held.claim(void.id, by=REQUESTER)
        assert claimed is not None
        assert store.held.finish(void.id, "ok", "voided")
        assert store.held.claim(void.id, by=REQUESTER) is None

        assert store.held.cancel(push.id, by=REQUESTER) is not None
        assert store.held.claim(push.id, by=REQUESTER) is None

        assert (imported.action, imported.params["rows"], imported.channel_id) == ("member.import", 3, None)
        assert store.held.claim(imported.id, by=REQUESTER) is not None
        assert store.held.finish(imported.id, "unknown", "ReadTimeout")

        assert (approval.kind, approval.action, approval.card_id, approval.message) == (
            "approval", "push", 7, "Double stamps!")
        assert (approval.is_broadcast, approval.recipient_count, approval.channel_id) == (True, 1200, "C_ASK")
        assert (approval.message_channel_id, approval.message_ts) == ("C_APPROVALS", "1700000000.1")
        approved = store.held.claim(approval.id, by=APPROVER)
        assert approved is not None
        assert approved.claimed_by == APPROVER
        assert store.held.finish(approval.id, "ok", total_recipients=1187)

        rejected = store.held.get("e" * 32)
        assert rejected is not None
        assert (rejected.state, rejected.closed_by, rejected.reason) == ("rejected", APPROVER, "wrong card")
        assert (rejected.recipient_ids, rejected.finished_at) == ((11, 12), rejected.created_at)
        assert store.held.claim(rejected.id, by=APPROVER) is None

        final = {held_id: store.held.get(held_id).state for held_id in (void.id, push.id, imported.id, approval.id)}  # type: ignore[union-attr]
        assert final == {void.id: "done", push.id: "cancelled", imported.id: "unknown", approval.id: "done"}
    with direct_connection(database_url) as connection:
        assert {"confirmations", "approvals"}.isdisjoint(sa.inspect(connection).get_table_names())
