"""Fault injection for tests: slow answers, error answers, and connections closed without an answer.

All off until a test asks. Each rule matches a request by method and a path substring (both optional),
and counts how often it fired, so a test can check that its fault was actually met:

    server.faults.latency(2.0, path="/stats")
    server.faults.fail(503, times=2)                         # two 503s, then normal answers
    server.faults.fail(429, headers={"Retry-After": "1"})
    server.faults.fail(502, body="<html>Bad gateway</html>")
    server.faults.drop(path="/stamps", after_apply=True)     # stamps are added, the client gets no answer
    server.faults.fail(400, path="/stats", after=1)          # the first page answers, the next one fails
    server.faults.clear()
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rule:
    """One injected fault. `times` None means for ever; `hits` counts the requests it was applied to."""

    kind: str
    method: str | None = None
    path: str | None = None
    times: int | None = None
    hits: int = 0
    seconds: float = 0.0
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    after_apply: bool = True
    hang: float = 0.0
    after: int = 0
    """Matching requests let through untouched before the rule starts to apply."""

    def matches(self, method: str, path: str) -> bool:
        return (
            (self.method is None or self.method.upper() == method.upper())
            and (self.path is None or self.path in path)
            and (self.times is None or self.hits < self.times)
        )


@dataclass(frozen=True)
class Plan:
    """What the server must do to one request: wait, then maybe fail or drop instead of answering."""

    delay: float = 0.0
    failure: Rule | None = None
    drop: Rule | None = None


class Faults:
    """The fault rules of one SandboxServer; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def latency(self, seconds: float, *, method: str | None = None, path: str | None = None,
                times: int | None = None) -> Rule:
        """Delay matching requests by `seconds` before anything else happens (every request by default)."""
        return self._add(Rule("latency", method=method, path=path, times=times, seconds=seconds))

    def fail(self, status: int, *, times: int | None = 1, method: str | None = None, path: str | None = None,
             body: Any = None, headers: dict[str, str] | None = None, after: int = 0) -> Rule:
        """Answer matching requests with `status` instead of handling them, `times` times (None: for ever).

        `body` may be a dict or list (sent as JSON), a str (sent as HTML when it starts with "<", else text)
        or bytes; by default the API's error envelope. `headers` are added, e.g. {"Retry-After": "1"}.
        The first `after` matching requests are answered normally.
        """
        return self._add(Rule("fail", method=method, path=path, times=times, status=status, body=body,
                              headers=dict(headers or {}), after=after))

    def drop(self, *, times: int | None = 1, method: str | None = None, path: str | None = None,
             after_apply: bool = True, hang: float = 0.0) -> Rule:
        """Read matching requests, apply them when `after_apply`, then close the connection without answering.

        `hang` keeps the connection open that many seconds first, so a client's read timeout fires
        rather than a "server disconnected" error.
        """
        return self._add(Rule("drop", method=method, path=path, times=times, after_apply=after_apply,
                              hang=hang))

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[Rule]:
        """A copy of the current rules, in the order added."""
        with self._lock:
            return list(self._rules)

    def plan(self, method: str, path: str) -> Plan:
        """Decide, and count, the faults for one request: all matching latencies add up; the first
        matching fail or drop rule wins."""
        delay = 0.0
        chosen: Rule | None = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.kind == "latency":
                    rule.hits += 1
                    delay += rule.seconds
                elif rule.after > 0:
                    rule.after -= 1
                elif chosen is None:
                    rule.hits += 1
                    chosen = rule
        if chosen is None:
            return Plan(delay=delay)
        if chosen.kind == "fail":
            return Plan(delay=delay, failure=chosen)
        return Plan(delay=delay, drop=chosen)
