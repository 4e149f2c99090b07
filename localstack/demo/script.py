"""Demo scripts: the console's commands, one a line, read from a file.

A script holds the lines a person would type at the console, plus the answers they would give:

    # who types next: vera (viewer), omar (operator), alice or bob (admins)
    as omar
    /loyalty stamp "Coffee Club" grace@example.com
    # the last output must contain this text (case and spacing ignored)
    expect Free coffee
    # press button or menu option [2] of the last output; `confirm yes|no` answers its confirmation dialog
    click 2
    confirm yes
    # a command that opens a modal: `fill <label>: <value>` lines, then `submit` (or `cancel`)
    /loyalty add "Coffee Club"
    fill First name: Grace
    fill Tier: Gold
    fill CSV: <<END
    first_name,email
    Ada,ada@example.com
    END
    submit
    channel #approvals
    home

Options are named by their text or their number, several separated by commas; `<<END` starts a value of
several lines that ends at a line holding only `END`. Lines starting with `#` are comments.

A step fails (and the run exits non-zero) when the console cannot carry it out, an `expect` does not match,
or the bot shows nothing in time. An error reply from the bot is not a failure: `expect` checks its words.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

_HEREDOC = re.compile(r"<<\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


class StepFailed(Exception):
    """The console could not carry out a step; in a script, the run stops and exits non-zero."""


@dataclass(frozen=True)
class Step:
    """One command of a script: its line number, its text, and for `<<END` values the lines that follow."""

    line: int
    text: str
    body: str | None = None
    end: str = ""
    """The word that closed the `<<END` value, so the transcript can show it."""

    @property
    def value_text(self) -> str:
        """The text with a heredoc marker replaced by its lines."""
        if self.body is None:
            return self.text
        return _HEREDOC.sub("", self.text).rstrip() + " " + self.body


def parse_script(text: str) -> list[Step]:
    """The steps of a script; `#` starts a comment (outside heredocs), blank lines are skipped."""
    lines = text.splitlines()
    steps: list[Step] = []
    index = 0
    while index < len(lines):
        number, raw = index + 1, lines[index]
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        heredoc = _HEREDOC.search(stripped)
        if heredoc is None:
            steps.append(Step(number, stripped))
            continue
        end, body = heredoc.group(1), []
        while index < len(lines) and lines[index].strip() != end:
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise StepFailed(f"line {number}: the value started with <<{end} never ends: add a line holding {end}")
        index += 1
        steps.append(Step(number, stripped, "\n".join(body), end))
    return steps


def read_script(path: Path) -> list[Step]:
    """The steps of the script file at `path`."""
    return parse_script(path.read_text(encoding="utf-8"))


class Script:
    """The steps still to run; modals and confirmations take their answers from the front."""

    def __init__(self, steps: list[Step]) -> None:
        self._steps = deque(steps)

    def __bool__(self) -> bool:
        return bool(self._steps)

    def next(self, waiting_for: str) -> Step:
        """The next step; StepFailed when the script ended while the console still needed `waiting_for`."""
        if not self._steps:
            raise StepFailed(f"the script ended while {waiting_for}")
        return self._steps.popleft()
