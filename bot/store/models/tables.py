"""The store's tables (SQLAlchemy Core). Migrations in `bot/store/migrations/versions/` must match them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in Python; naive UTC text in SQLite, `timestamptz` in PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes: guessing their zone is how expiry bugs start."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to the store: pass a timezone-aware one")
        value = value.astimezone(UTC)
        # SQLite compares these as text, so every value must be written in the same (UTC) form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        """Hand back aware UTC datetimes whatever the backend returned."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @property
    def python_type(self) -> type[Any]:
        return datetime


# SQLite only auto-increments an "INTEGER PRIMARY KEY"; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("actor", String(255), nullable=False),
    Column("team_id", String(64), nullable=True),
    Column("channel_id", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("card_id", BigInteger(), nullable=True),
    Column("member_ids", JSON(), nullable=False),
    Column("params", JSON(), nullable=False),
    Column("request_id", String(255), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text(), nullable=True),
    Index("ix_audit_log_card_id_id", "card_id", "id"),
    Index("ix_audit_log_created_at", "created_at"),
)

held_changes = Table(
    "held_changes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("params", JSON(), nullable=False),
    Column("requester", String(255), nullable=False),
    Column("team_id", String(64), nullable=True),
    Column("channel_id", String(64), nullable=True),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("claimed_by", String(255), nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("closed_by", String(255), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("detail", Text(), nullable=True),
    # Approvals only: where the request was posted, why it was rejected, whom the push reached.
    Column("message_channel_id", String(64), nullable=True),
    Column("message_ts", String(64), nullable=True),
    Column("reason", Text(), nullable=True),
    Column("total_recipients", Integer(), nullable=True),
    # Carried out by a durable job: when the API call was sent (set before it), and the audit row it wrote.
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("audit_id", BigInteger(), nullable=True),
    Index("ix_held_changes_state_expires_at", "state", "expires_at"),
)

seen_requests = Table(
    "seen_requests",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_seen_requests_expires_at", "expires_at"),
)

channel_defaults = Table(
    "channel_defaults",
    metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("card_id", BigInteger(), nullable=False),
    Column("card_name", String(200), nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", UTCDateTime(), nullable=False),
)

job_executors = Table(
    "job_executors",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("version", String(64), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),
)
"""Processes that run jobs, with their last heartbeat: one silent for a minute is resumed elsewhere."""

imports = Table(
    "imports",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("card_id", BigInteger(), nullable=False),
    Column("requester", String(255), nullable=False),
    Column("team_id", String(64), nullable=True),
    Column("channel_id", String(64), nullable=False),
    Column("fields", JSON(), nullable=False),
    Column("chunk_size", Integer(), nullable=False),
    Column("rows", Integer(), nullable=False),
    Column("skipped", Integer(), nullable=False),
    Column("to_send", Integer(), nullable=False),
    Column("chunks", Integer(), nullable=False),
    Column("audit_id", BigInteger(), nullable=True),
    Column("message_ts", String(64), nullable=True),
    Column("stopped_by", Text(), nullable=True),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
)
"""An import from its click to its report: what was asked, fixed at the click (card, chunk size, rows)."""

import_chunks = Table(
    "import_chunks",
    metadata,
    Column("import_id", String(64), primary_key=True),
    Column("number", Integer(), primary_key=True),
    Column("first_row", Integer(), nullable=False),
    Column("lines", JSON(), nullable=False),
    Column("rows", JSON(), nullable=True),
    Column("state", String(16), nullable=False),
    Column("created", JSON(), nullable=True),
    Column("reason", Text(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)
"""The per-chunk ledger: pending -> sending (committed before the API call) -> done / failed / unknown.
`rows` holds the chunk's cells (contact details) until the import ends, then is cleared."""
