"""Alembic environment: runs on the connection that `bot.store.db.migrate` hands over (no alembic.ini).

To write a new revision, add a file to `versions/` by hand (copy the newest one, set `revision` and
`down_revision`), change `bot/store/models/tables.py` to match, and run the store tests: one of them
compares the migrated schema with the tables.
"""

from alembic import context

from bot.store.models.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.store.db.migrate(), which provides the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
