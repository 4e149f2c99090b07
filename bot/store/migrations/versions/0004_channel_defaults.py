"""Each channel's default card: `/loyalty use <card>` makes the card optional in that channel.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of channel defaults."""
    op.create_table(
        "channel_defaults",
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("card_id", sa.BigInteger(), nullable=False),
        sa.Column("card_name", sa.String(200), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("channel_defaults")
