"""Whatever step boundary an import dies at, no row is ever sent twice: a chunk found "sending" after a restart is
looked up row by row, and only rows not found are sent again (a property test over crash points)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coupontools import OutcomeUnknown
from bot.coupontools.models import CreatedMember
from bot.jobs import context
from bot.jobs import imports as jobs
from bot.store import Store


class Crash(BaseException):
    """The process dies here (not an error anything may catch)."""


@dataclass
class FakeApi:
    """Members by email and phone; dies at the API calls numbered in `crash` (after applying, for `applied`)."""

    crash: frozenset[int]
    applied: frozenset[int]
    members: list[SimpleNamespace] = field(default_factory=list)
    calls: int = 0

    def _call(self) -> int:
        self.calls += 1
        return self.calls

    def create_chunk(self, _card_id: int, rows: list[dict[str, str]]) -> list[CreatedMember]:
        number = self._call()
        if number in self.crash and number not in self.applied:
            raise Crash
        created = []
        for row in rows:
            member = SimpleNamespace(id=len(self.members) + 1, code=f"c{len(self.members) + 1}", download_url="",
                                     email=row.get("email"), phone=row.get("phone"), first_name=row["first_name"])
            self.members.append(member)
            created.append(CreatedMember(id=member.id, code=member.code, download_url=None))
        if number in self.crash:
            raise Crash  # applied, the answer lost
        return created

    def search_members(self, _card_id: int, key: str, *, strict: bool = True) -> list[SimpleNamespace]:
        assert strict
        if self._call() in self.crash:
            raise Crash
        return [m for m in self.members if key.casefold() in {(m.email or "").casefold(), (m.phone or "").casefold()}]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store.connect(f"sqlite:///{Path(tmp_path_factory.mktemp('ledger')) / 'bot.db'}")
    yield opened
    opened.close()


rows_strategy = st.lists(st.sampled_from(["email", "phone", "both", "neither"]), min_size=1, max_size=24)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=rows_strategy, chunk_size=st.integers(1, 7), crash=st.frozensets(st.integers(1, 40), max_size=6),
       applied_share=st.integers(0, 6))
def test_no_row_is_ever_sent_twice_whatever_the_crash_points(store: Store, kinds: list[str], chunk_size: int,
                                                            crash: frozenset[int], applied_share: int) -> None:
    applied = frozenset(sorted(crash)[:applied_share])
    api = FakeApi(crash, applied)
    fields = ("first_name", "email", "phone")
    good = [(index + 2, (f"Row{index}", f"r{index}@example.com" if kind in ("email", "both") else "",
                         f"+3247000{index:04d}" if kind in ("phone", "both") else ""))
            for index, kind in enumerate(kinds)]
    import_id = f"imp-{id(api)}-{len(kinds)}-{chunk_size}-{sorted(crash)}"
    store.imports.create(import_id, card_id=1, requester="U1", team_id=None, channel_id="C1", fields=fields,
                         chunk_size=chunk_size, rows=len(good), skipped=0, good=good)
    # No Slack and no card lookup: the progress message fails quietly, as it may in production.
    context.bind(SimpleNamespace(store=store, loyalty=api, lookup=None, slack=None, settings=None))  # type: ignore[arg-type]
    try:
        _run_with_restarts(import_id, -(-len(good) // chunk_size))
    finally:
        context.bind(None)

    created = Counter(m.first_name for m in api.members)
    assert all(count == 1 for count in created.values()), f"sent twice: {created.most_common(3)}"
    for (_line, (name, _email, _phone)), kind in zip(good, kinds, strict=True):
        if kind != "neither":
            assert created[name] == 1, f"{name} ({kind}) was never created"
    states = {chunk.state for chunk in store.imports.chunks(import_id)}
    assert states <= {"done", "unknown"}, states


def _run_with_restarts(import_id: str, chunks: int) -> None:
    """Send every chunk as the workflow would, starting again from the same chunk after each crash or no-answer."""
    number, restarts = 0, 0
    while number < chunks:
        try:
            jobs._send_chunk(import_id, number)
        except (Crash, OutcomeUnknown):
            restarts += 1
            assert restarts < 100, "an import that never makes progress"
            continue
        number += 1
