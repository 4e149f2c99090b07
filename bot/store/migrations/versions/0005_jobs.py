"""Durable jobs: heartbeats of the processes that run them, and the import ledger.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the job_executors, imports and import_chunks tables."""
    op.create_table(
        "job_executors",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("card_id", sa.BigInteger(), nullable=False),
        sa.Column("requester", sa.String(255), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("to_send", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.BigInteger(), nullable=True),
        sa.Column("message_ts", sa.String(64), nullable=True),
        sa.Column("stopped_by", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "import_chunks",
        sa.Column("import_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("first_row", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("import_chunks")
    op.drop_table("imports")
    op.drop_table("job_executors")
