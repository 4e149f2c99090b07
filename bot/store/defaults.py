"""Each channel's default card, set with `/loyalty use`: shared by every process through the database."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.db import Database
from bot.store.models.records import utc_now
from bot.store.models.tables import channel_defaults


class ChannelDefaults:
    """Which card a channel's commands use when they name none."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def get(self, channel_id: str) -> tuple[int, str] | None:
        """The channel's default card: its id and its name when it was set; None when there is none."""
        columns = (channel_defaults.c.card_id, channel_defaults.c.card_name)
        with self._db.read() as connection:
            row = connection.execute(select(*columns).where(channel_defaults.c.channel_id == channel_id)).first()
        return (int(row[0]), str(row[1])) if row else None

    def all(self, limit: int = 20) -> list[tuple[str, str]]:
        """Channels with a default card and its name, at most `limit`, by channel id."""
        columns = (channel_defaults.c.channel_id, channel_defaults.c.card_name)
        with self._db.read() as connection:
            rows = connection.execute(select(*columns).order_by(channel_defaults.c.channel_id).limit(limit))
            return [(str(channel), str(name)) for channel, name in rows]

    def set(self, channel_id: str, card_id: int, card_name: str, *, by: str) -> None:
        """Make `card_id` the channel's default, replacing any other."""
        dialect = postgresql if self._db.dialect == "postgresql" else sqlite
        values = {"card_id": card_id, "card_name": card_name[:200], "set_by": by, "set_at": utc_now()}
        insert = dialect.insert(channel_defaults).values(channel_id=channel_id, **values)
        with self._db.write() as connection:
            connection.execute(insert.on_conflict_do_update(index_elements=["channel_id"], set_=values))

    def clear(self, channel_id: str) -> bool:
        """Remove the channel's default; whether there was one."""
        with self._db.write() as connection:
            removed = connection.execute(delete(channel_defaults).where(channel_defaults.c.channel_id == channel_id))
        return bool(removed.rowcount)
