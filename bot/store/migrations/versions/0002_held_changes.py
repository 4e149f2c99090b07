"""Confirmations and approvals become one table of changes held for a click.

Every row is carried over, pending ones included, so a button posted before the upgrade still works after it.

Revision ID: 0002
Revises: 0001
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)

_COMMON = ("id", "requester", "team_id", "channel_id", "state", "created_at", "expires_at", "finished_at", "detail")

held_changes = sa.table(
    "held_changes",
    *(sa.column(name) for name in _COMMON),
    sa.column("kind", sa.String()), sa.column("action", sa.String()), sa.column("params", sa.JSON()),
    sa.column("claimed_by", sa.String()), sa.column("claimed_at", _WHEN), sa.column("closed_by", sa.String()),
    sa.column("message_channel_id", sa.String()), sa.column("message_ts", sa.String()),
    sa.column("reason", sa.Text()), sa.column("total_recipients", sa.Integer()),
)
confirmations = sa.table(
    "confirmations",
    *(sa.column(name) for name in _COMMON),
    sa.column("action", sa.String()), sa.column("params", sa.JSON()), sa.column("claimed_at", _WHEN),
    sa.column("cancelled_by", sa.String()),
)
approvals = sa.table(
    "approvals",
    *(sa.column(name) for name in _COMMON),
    sa.column("card_id", sa.BigInteger()), sa.column("message", sa.Text()), sa.column("recipient_ids", sa.JSON()),
    sa.column("recipient_count", sa.Integer()), sa.column("message_channel_id", sa.String()),
    sa.column("message_ts", sa.String()), sa.column("approver", sa.String()), sa.column("approved_at", _WHEN),
    sa.column("rejected_by", sa.String()), sa.column("rejected_at", _WHEN),
    sa.column("rejection_reason", sa.Text()), sa.column("cancelled_at", _WHEN),
    sa.column("total_recipients", sa.Integer()),
)


def _from_confirmation(row: Any) -> dict[str, Any]:
    common = {name: getattr(row, name) for name in _COMMON}
    # Every row names every column: one executemany takes the columns of its first row for all of them.
    return {**common, "kind": "confirmation", "action": row.action, "params": row.params, "claimed_by": None,
            "claimed_at": row.claimed_at, "closed_by": row.cancelled_by, "message_channel_id": None,
            "message_ts": None, "reason": None, "total_recipients": None}


def _from_approval(row: Any) -> dict[str, Any]:
    common = {name: getattr(row, name) for name in _COMMON}
    closed_by = row.rejected_by or (row.requester if row.state == "cancelled" else None)
    return {
        **common, "kind": "approval", "action": "push",
        "params": {"card_id": row.card_id, "message": row.message, "recipient_ids": row.recipient_ids,
                   "recipient_count": row.recipient_count},
        "claimed_by": row.approver, "claimed_at": row.approved_at, "closed_by": closed_by,
        "finished_at": row.finished_at or row.rejected_at or row.cancelled_at,
        "message_channel_id": row.message_channel_id, "message_ts": row.message_ts,
        "reason": row.rejection_reason, "total_recipients": row.total_recipients,
    }


def upgrade() -> None:
    """Create held_changes, move every confirmation and approval into it, drop the two old tables."""
    op.create_table(
        "held_changes",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("requester", sa.String(255), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=True),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("claimed_by", sa.String(255), nullable=True),
        sa.Column("claimed_at", _WHEN, nullable=True),
        sa.Column("closed_by", sa.String(255), nullable=True),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("message_channel_id", sa.String(64), nullable=True),
        sa.Column("message_ts", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("total_recipients", sa.Integer(), nullable=True),
    )
    op.create_index("ix_held_changes_state_expires_at", "held_changes", ["state", "expires_at"])
    connection = op.get_bind()
    rows = [_from_confirmation(row) for row in connection.execute(sa.select(confirmations))]
    rows += [_from_approval(row) for row in connection.execute(sa.select(approvals))]
    if rows:
        connection.execute(sa.insert(held_changes), rows)
    op.drop_table("approvals")
    op.drop_table("confirmations")


def downgrade() -> None:
    """Not supported: the two old tables cannot hold what a newer bot may have written; restore a backup."""
    raise NotImplementedError("0002 cannot be downgraded; restore the database from a backup taken before it")
