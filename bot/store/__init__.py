"""Storage: the audit log and the changes held for a click (SQLAlchemy; SQLite or PostgreSQL).

    store = Store.connect(settings.database_url)
    entry_id = store.audit.begin(actor=user, team_id=team, channel_id=channel, action="void",
                                 card_id=card.id, member_ids=[member.id], request_id=request_id)
    ...send the change...
    store.audit.finish(entry_id, "ok")
"""

from bot.store.db import DEFAULT_DATABASE_URL
from bot.store.models.records import AuditEntry, HeldChange, Outcome
from bot.store.store import Store, StoreUnavailable

__all__ = [
    "DEFAULT_DATABASE_URL",
    "AuditEntry",
    "HeldChange",
    "Outcome",
    "Store",
    "StoreUnavailable",
]
