"""Held changes carried out by a durable job: when the API call was sent, and its audit row.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add held_changes.sent_at and held_changes.audit_id."""
    with op.batch_alter_table("held_changes") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("audit_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("held_changes") as batch:
        batch.drop_column("audit_id")
        batch.drop_column("sent_at")
