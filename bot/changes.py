"""Every change to the loyalty programme goes through here: recorded before it is sent, completed after."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.coupontools import CoupontoolsError, Member, OutcomeUnknown
from bot.interaction import Interaction
from bot.logs import redact
from bot.store import Outcome, Store

log = logging.getLogger(__name__)
T = TypeVar("T")

_DETAIL_LIMIT = 500


def failure_detail(exc: BaseException) -> str:
    """What the audit log keeps of a failure: its kind, the API's code and message, with contact details removed."""
    if isinstance(exc, CoupontoolsError):
        parts = [type(exc).__name__]
        if exc.status:
            parts.append(f"HTTP {exc.status}")
        if exc.code:
            parts.append(f"code {exc.code}")
        text = f"{' '.join(parts)}: {exc.message}"
    else:
        text = type(exc).__name__
    return redact(text)[:_DETAIL_LIMIT]


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """How a change ended, for callers that must record the ending somewhere else too."""

    outcome: Outcome
    result: T | None = None
    error: BaseException | None = None

    @property
    def detail(self) -> str | None:
        return failure_detail(self.error) if self.error else None


class Changes:
    """Runs a change against the API with its audit-log row written first and completed with the outcome."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def perform(
        self,
        who: Interaction,
        action: str,
        call: Callable[[], T],
        *,
        card_id: int | None,
        member_ids: Sequence[int] = (),
        params: Mapping[str, Any] | None = None,
        before_call: Callable[[int], None] | None = None,
    ) -> T:
        """Record `action`, run `call`, record how it ended (ok, failed or unknown), and return or re-raise.

        `params` holds only non-personal parameters (an amount, reward ids, a field *name*): the store refuses
        contact details. A crash during the call counts as unknown: we cannot say the API did not act.
        When the change creates a member, its id is recorded once the API has given it. `before_call` gets the
        audit row's id once it is written, before the call (a job records there that the call is on its way).
        """
        entry = self.store.audit.begin(
            actor=who.user_id, team_id=who.team_id, channel_id=who.channel_id, action=action,
            card_id=card_id, member_ids=list(member_ids), params=dict(params or {}), request_id=who.request_id,
        )
        try:
            if before_call is not None:
                before_call(entry)
            result = call()
        except OutcomeUnknown as exc:
            who.outcome = "unknown"
            self._finish(entry, "unknown", failure_detail(exc))
            raise
        except CoupontoolsError as exc:
            who.outcome = "failed"
            self._finish(entry, "failed", failure_detail(exc))
            raise
        except BaseException as exc:
            who.outcome = "unknown"
            self._finish(entry, "unknown", failure_detail(exc))
            raise
        created = [result.id] if isinstance(result, Member) and not member_ids else None
        self._finish(entry, "ok", None, member_ids=created)
        return result

    def _finish(self, entry: int, outcome: str, detail: str | None, *, member_ids: list[int] | None = None) -> None:
        try:
            self.store.audit.finish(entry, outcome, detail, member_ids=member_ids)  # type: ignore[arg-type]
        except Exception:
            # The row stays "pending": the log says a change was attempted even if we cannot say how it ended.
            log.exception("could not record the outcome of audit entry %s", entry)

    def attempt(
        self,
        who: Interaction,
        action: str,
        call: Callable[[], T],
        *,
        card_id: int | None,
        member_ids: Sequence[int] = (),
        params: Mapping[str, Any] | None = None,
        before_call: Callable[[int], None] | None = None,
    ) -> Attempt[T]:
        """`perform`, but report how it ended instead of raising, so a claimed confirmation or approval can
        always be finished; a crash counts as unknown."""
        try:
            return Attempt("ok", self.perform(who, action, call, card_id=card_id, member_ids=member_ids,
                                              params=params, before_call=before_call))
        except OutcomeUnknown as exc:
            return Attempt("unknown", error=exc)
        except CoupontoolsError as exc:
            return Attempt("failed", error=exc)
        except Exception as exc:
            log.exception("%s crashed; its outcome is unknown", action)
            return Attempt("unknown", error=exc)
