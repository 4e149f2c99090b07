"""Bulk member imports: which errors on one chunk stop the rest."""

from __future__ import annotations

from bot.coupontools.errors import CoupontoolsError, InvalidInput


def stops_import(error: CoupontoolsError) -> bool:
    """Whether an error on one chunk would happen to every following chunk too (only bad rows do not)."""
    return not isinstance(error, InvalidInput)
