"""Results of a bulk member import, reported chunk by chunk so large imports stream."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Generic, Self, TypeVar

from bot.coupontools.errors import CoupontoolsError, InvalidInput, OutcomeUnknown
from bot.coupontools.models import CreatedMember

T = TypeVar("T")


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


class Prepared(Generic[T]):
    """What `prepare(first_row, rows)` makes of each chunk from `chunks`, in order, one chunk at a time, or
    with `ahead` one chunk ahead on a helper thread.

    With `ahead`, chunk k+1 is read from the source and prepared (its dicts built, its body encoded) while
    the caller waits for chunk k's answer: the helper starts when the caller calls `release()` (when the
    request is on the wire and it blocks for the answer, so the two do not fight over the GIL while
    sending) or, at the latest, when the caller asks for chunk k+1. The caller takes chunk k+1 only after
    it has judged chunk k's answer, so nothing is *sent* any earlier. At most two chunks are in memory, and
    the source is only read by one thread at a time. An exception from the source is raised where that
    chunk is taken, as without `ahead`. Use as a context manager: leaving waits for the helper (which at
    most finishes the chunk it is preparing).
    """

    def __init__(
        self,
        chunks: Iterator[tuple[int, list[dict[str, str]]]],
        prepare: Callable[[int, list[dict[str, str]]], T],
        *,
        size: Callable[[T], int],
        ahead: bool = False,
    ) -> None:
        self._chunks = chunks
        self._prepare = prepare
        self._size = size
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="bulk-prepare") if ahead else None
        # The helper runs in a copy of the caller's context (log context and the like), one job at a time.
        self._context = contextvars.copy_context()
        self._pending: Future[T | None] | None = None
        self._go = threading.Event()
        self._closed = False

    def __enter__(self) -> Self:
        self._submit()
        self._go.set()  # the first chunk is needed at once
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closed = True
        self._go.set()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __iter__(self) -> Iterator[T]:
        while True:
            if self._pending is None:
                item = self._next()
            else:
                self._go.set()
                item = self._pending.result()
                if item is not None:
                    self._submit()
            if item is None:
                return
            yield item

    def release(self) -> None:
        """Let the helper prepare the next chunk now (the caller is waiting on the network)."""
        self._go.set()

    def rest(self) -> int:
        """Rows not taken yet (the one prepared ahead included), read through to the end of the source."""
        pending, self._pending = self._pending, None
        self._go.set()
        item = pending.result() if pending is not None else None
        return (self._size(item) if item is not None else 0) + sum(len(rows) for _, rows in self._chunks)

    def _submit(self) -> None:
        if self._executor is None:
            return
        self._go = go = threading.Event()
        self._pending = self._executor.submit(self._context.run, self._next_when, go)

    def _next_when(self, go: threading.Event) -> T | None:
        go.wait()
        return None if self._closed else self._next()

    def _next(self) -> T | None:
        chunk = next(self._chunks, None)
        return None if chunk is None else self._prepare(*chunk)
