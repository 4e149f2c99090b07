"""The import ledger: an import fixed at its click, and each chunk's state, so a restart never resends blindly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, insert, select, update

from bot.store.db import Database
from bot.store.models.records import utc_now
from bot.store.models.tables import import_chunks, imports

ChunkState = Literal["pending", "sending", "done", "failed", "unknown"]
CHUNK_DONE: frozenset[str] = frozenset({"done", "failed", "unknown"})


@dataclass(frozen=True)
class ImportRecord:
    id: str
    card_id: int
    requester: str
    team_id: str | None
    channel_id: str
    fields: tuple[str, ...]
    chunk_size: int
    rows: int
    skipped: int
    to_send: int
    chunks: int
    audit_id: int | None
    message_ts: str | None
    stopped_by: str | None
    """Why the rest of the rows were not sent (an error that would repeat for every chunk)."""
    state: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ChunkRecord:
    import_id: str
    number: int
    first_row: int
    lines: tuple[int, ...]
    """The file's line of each row, for the report."""
    rows: tuple[tuple[str, ...], ...] | None
    """Each row's cells in `ImportRecord.fields` order; None once the import has ended."""
    state: ChunkState
    created: tuple[tuple[int, str, str], ...]
    """(id, code, wallet link) of each member the chunk created."""
    reason: str | None

    @property
    def size(self) -> int:
        return len(self.lines)


def _import(row: Any) -> ImportRecord:
    return ImportRecord(
        id=row.id, card_id=row.card_id, requester=row.requester, team_id=row.team_id, channel_id=row.channel_id,
        fields=tuple(row.fields), chunk_size=row.chunk_size, rows=row.rows, skipped=row.skipped,
        to_send=row.to_send, chunks=row.chunks, audit_id=row.audit_id, message_ts=row.message_ts,
        stopped_by=row.stopped_by, state=row.state, created_at=row.created_at, finished_at=row.finished_at,
    )


def _chunk(row: Any) -> ChunkRecord:
    return ChunkRecord(
        import_id=row.import_id, number=row.number, first_row=row.first_row, lines=tuple(row.lines),
        rows=None if row.rows is None else tuple(tuple(cells) for cells in row.rows), state=row.state,
        created=tuple((int(i), str(c), str(u)) for i, c, u in (row.created or ())), reason=row.reason,
    )


class ImportLedger:
    """Imports and their chunks. Every transition is conditional, so two runners of one import cannot both send."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, import_id: str, *, card_id: int, requester: str, team_id: str | None, channel_id: str,
               fields: Sequence[str], chunk_size: int, rows: int, skipped: int,
               good: Sequence[tuple[int, Sequence[str]]], audit_id: int | None = None,
               now: datetime | None = None) -> ImportRecord:
        """Store the import and its chunks (`good`: each row's file line and cells), all pending, in one go."""
        moment = now or utc_now()
        chunks = [good[start:start + chunk_size] for start in range(0, len(good), chunk_size)]
        with self._db.write() as connection:
            connection.execute(insert(imports).values(
                id=import_id, card_id=card_id, requester=requester, team_id=team_id, channel_id=channel_id,
                fields=list(fields), chunk_size=chunk_size, rows=rows, skipped=skipped, to_send=len(good),
                chunks=len(chunks), audit_id=audit_id, state="running", created_at=moment,
            ))
            if chunks:
                connection.execute(insert(import_chunks), [
                    {"import_id": import_id, "number": number, "first_row": number * chunk_size,
                     "lines": [line for line, _cells in chunk], "rows": [list(cells) for _line, cells in chunk],
                     "state": "pending", "updated_at": moment}
                    for number, chunk in enumerate(chunks)
                ])
        found = self.get(import_id)
        if found is None:  # written just above in a committed transaction
            raise LookupError(import_id)
        return found

    def get(self, import_id: str) -> ImportRecord | None:
        with self._db.read() as connection:
            row = connection.execute(select(imports).where(imports.c.id == import_id)).first()
        return _import(row) if row else None

    def chunk(self, import_id: str, number: int) -> ChunkRecord | None:
        with self._db.read() as connection:
            row = connection.execute(select(import_chunks).where(
                import_chunks.c.import_id == import_id, import_chunks.c.number == number)).first()
        return _chunk(row) if row else None

    def chunks(self, import_id: str) -> list[ChunkRecord]:
        with self._db.read() as connection:
            rows = connection.execute(select(import_chunks).where(import_chunks.c.import_id == import_id)
                                      .order_by(import_chunks.c.number))
            return [_chunk(row) for row in rows]

    def set_message(self, import_id: str, channel_id: str, ts: str) -> None:
        """Where the progress message is (the conversation, or a DM when the bot could not post there)."""
        with self._db.write() as connection:
            connection.execute(update(imports).where(imports.c.id == import_id).values(
                channel_id=channel_id, message_ts=ts))

    def stop(self, import_id: str, reason: str) -> None:
        """Send no more chunks of this import, and say why in its report."""
        with self._db.write() as connection:
            connection.execute(update(imports).where(imports.c.id == import_id).values(stopped_by=reason))

    def mark_sending(self, import_id: str, number: int, *, now: datetime | None = None) -> bool:
        """pending -> sending, committed before the API call; False when the chunk was not pending."""
        with self._db.write() as connection:
            return bool(connection.execute(update(import_chunks).where(
                import_chunks.c.import_id == import_id, import_chunks.c.number == number,
                import_chunks.c.state == "pending",
            ).values(state="sending", updated_at=now or utc_now())).rowcount)

    def settle(self, import_id: str, number: int, state: ChunkState, *,
               created: Sequence[tuple[int, str, str]] = (), reason: str | None = None,
               now: datetime | None = None) -> bool:
        """sending -> done / failed / unknown, with the members created and why it failed."""
        with self._db.write() as connection:
            return bool(connection.execute(update(import_chunks).where(
                import_chunks.c.import_id == import_id, import_chunks.c.number == number,
                import_chunks.c.state == "sending",
            ).values(state=state, created=[list(member) for member in created], reason=reason,
                     updated_at=now or utc_now())).rowcount)

    def finish(self, import_id: str, *, now: datetime | None = None) -> bool:
        """The import ended: forget its rows (contact details), keep the counts and created ids."""
        moment = now or utc_now()
        with self._db.write() as connection:
            connection.execute(update(import_chunks).where(import_chunks.c.import_id == import_id).values(rows=None))
            return bool(connection.execute(update(imports).where(
                imports.c.id == import_id, imports.c.state == "running",
            ).values(state="finished", finished_at=moment)).rowcount)

    def running(self) -> list[str]:
        """Imports not finished yet."""
        with self._db.read() as connection:
            return [row.id for row in connection.execute(select(imports.c.id).where(imports.c.state == "running"))]

    def delete_finished_before(self, cutoff: datetime) -> int:
        """Delete imports (and their chunks) that finished before `cutoff`; how many."""
        with self._db.write() as connection:
            old = select(imports.c.id).where(imports.c.state == "finished", imports.c.finished_at < cutoff)
            connection.execute(delete(import_chunks).where(import_chunks.c.import_id.in_(old)))
            return int(connection.execute(delete(imports).where(imports.c.id.in_(old))).rowcount)
