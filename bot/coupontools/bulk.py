"""Results of a bulk member import, reported chunk by chunk so large imports stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice

from bot.coupontools.errors import CoupontoolsError, InvalidInput, OutcomeUnknown
from bot.coupontools.models import CreatedMember


@dataclass(frozen=True)
class ChunkResult:
    """What happened to one chunk of rows: `first_row` is the 0-based index of its first row in the input."""

    index: int
    first_row: int
    size: int
    created: list[CreatedMember] = field(default_factory=list)
    error: CoupontoolsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def outcome_unknown(self) -> bool:
        """The chunk was sent and no answer came back: its members may or may not exist now."""
        return isinstance(self.error, OutcomeUnknown)

    @property
    def failed(self) -> int:
        """Rows of this chunk known not to have been created."""
        if self.outcome_unknown:
            return 0
        return self.size - len(self.created)


@dataclass(frozen=True)
class BulkResult:
    """Totals of a bulk import.

    `not_sent` counts rows never sent because an error that would repeat for every chunk
    (bad credentials, unknown card, API down, unknown outcome) stopped the import; `stopped_by` is that error.
    """

    chunks: int = 0
    created: int = 0
    failed: int = 0
    unknown: int = 0
    not_sent: int = 0
    stopped_by: CoupontoolsError | None = None

    def add(self, chunk: ChunkResult) -> BulkResult:
        """These totals with one more chunk counted."""
        return BulkResult(
            chunks=self.chunks + 1,
            created=self.created + len(chunk.created),
            failed=self.failed + chunk.failed,
            unknown=self.unknown + (chunk.size if chunk.outcome_unknown else 0),
        )


def stops_import(error: CoupontoolsError) -> bool:
    """Whether an error on one chunk would happen to every following chunk too (only bad rows do not)."""
    return not isinstance(error, InvalidInput)


def chunked(
    rows: Iterable[Mapping[str, str]], size: int
) -> Iterator[tuple[int, list[dict[str, str]]]]:
    """(index of first row, rows) for consecutive chunks, holding one chunk in memory at a time.

    Each row is copied as it is read, so a source that reuses one mapping for every row still works.
    """
    iterator = iter(rows)
    first = 0
    while chunk := [dict(row) for row in islice(iterator, size)]:
        yield first, chunk
        first += len(chunk)
