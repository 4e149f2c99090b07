"""How the members list is paged: the one place that knows the pagination field names."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Not published by the vendor: its older API pages with a 1-based `page`. Change the names here only.
PAGINATION_FIELD = "pagination"
PAGE_FIELD = "page"
LIMIT_FIELD = "limit"
FIRST_PAGE = 1
WHOLE_LIST_PAGE = 500
"""The page size for reading a card's whole member list (stats, export): the largest the sandbox serves.
Each page costs the API a round trip and a scan, so 20,000 members take 40 pages rather than 200."""


def pagination(page: int, limit: int) -> dict[str, dict[str, int]]:
    """The body fragment that asks for one page."""
    return {PAGINATION_FIELD: {PAGE_FIELD: page, LIMIT_FIELD: limit}}


def iterate_pages(
    fetch: Callable[[int, int], Sequence[T]], page_size: int, key: Callable[[T], Hashable]
) -> Iterator[T]:
    """Yield every item of every page, fetching `fetch(page, page_size)` lazily from the first page.

    Stops at a page that is short or empty, and at a page identical (by `key`) to the one before:
    an API that ignores the pagination object answers the same page for ever.
    """
    previous: list[Hashable] | None = None
    page = FIRST_PAGE
    while True:
        items = fetch(page, page_size)
        keys = [key(item) for item in items]
        if not items or keys == previous:
            return
        yield from items
        if len(items) < page_size:
            return
        previous = keys
        page += 1
