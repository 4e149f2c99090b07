"""Modals as forms: their fields, how a typed answer becomes what Slack would submit, and who answers.

A person at the console answers field by field (`Keyboard`); a script answers with `fill` lines (`Scripted`).
Either way the result is the `values` that `SlackDriver.submit` takes, keyed by block_id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from localstack.demo.script import Script, Step, StepFailed
from localstack.slack import View
from localstack.slack.elements import MULTI_VALUE_ELEMENTS, OPTION_ELEMENTS, element_options
from localstack.slack.render import plain

END_OF_LINES = "."
CLEAR = "-"
"""Typed for a field that holds text, empties it (Enter alone keeps what it holds)."""


class Cancelled(Exception):
    """The person closed the modal instead of submitting it."""


@dataclass(frozen=True)
class Field:
    """One input of a modal, as the person reads it."""

    block_id: str
    label: str
    hint: str
    optional: bool
    element: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.element.get("type", ""))

    @property
    def options(self) -> list[dict[str, Any]]:
        return element_options(self.element)

    @property
    def multi(self) -> bool:
        return self.kind in MULTI_VALUE_ELEMENTS

    @property
    def multiline(self) -> bool:
        return bool(self.element.get("multiline"))

    @property
    def current(self) -> str:
        """What the field holds before the person types: its initial value or options, as text."""
        if self.kind in OPTION_ELEMENTS:
            chosen = [self.element.get("initial_option"), *(self.element.get("initial_options") or [])]
            return ", ".join(plain(o.get("text")) for o in chosen if o)
        return str(self.element.get("initial_value") or "")

    def parse(self, text: str) -> Any:
        """What Slack would submit after the person typed `text`; ValueError says what is wrong."""
        if self.kind in OPTION_ELEMENTS:
            picked = [self._option(part.strip()) for part in text.split(",") if part.strip()]
            if not self.multi and len(picked) > 1:
                raise ValueError("pick one option")
            return picked if self.multi else picked[0]
        if self.kind == "file_input":
            path = Path(text).expanduser()
            if not path.is_file():
                raise ValueError(f"there is no file at {path}")
            return [(path.name, path.read_bytes())]
        if self.multi:  # pickers of several people or channels: ids separated by commas
            return [part.strip() for part in text.split(",") if part.strip()]
        return text

    def _option(self, wanted: str) -> dict[str, Any]:
        if wanted.isdigit() and 1 <= int(wanted) <= len(self.options):
            return self.options[int(wanted) - 1]
        key = wanted.casefold()
        for option in self.options:
            if key in (plain(option.get("text")).casefold(), str(option.get("value")).casefold()):
                return option
        # "Coffee" for "Coffee Club · 481516": the start of one option's text is enough
        starting = [o for o in self.options if plain(o.get("text")).casefold().startswith(key)]
        if len(starting) == 1:
            return starting[0]
        offered = ", ".join(plain(o.get("text")) for o in self.options)
        raise ValueError(f"{wanted!r} is not one of the options: {offered}")

    def prompt_lines(self, error: str | None = None) -> list[str]:
        """The label, hint, options and any error, before the person types."""
        lines = [f"{self.label}{' (optional)' if self.optional else ''}"]
        if self.hint:
            lines.append(f"  ({self.hint})")
        if self.options:
            lines += [f"  {n}. {plain(o.get('text'))}" for n, o in enumerate(self.options, start=1)]
            lines.append("  (type a number or the option's text" + (", several separated by commas)" if self.multi
                                                                    else ")"))
        elif self.kind == "file_input":
            lines.append("  (type the path of a file to upload)")
        elif self.multiline:
            lines.append(f"  (several lines: end with a line holding only {END_OF_LINES})")
        if error:
            lines.append(f"  ✗ {error}")
        return lines


def form_fields(view: View) -> list[Field]:
    """The inputs of a modal, in order."""
    return [
        Field(str(block.get("block_id")), plain(block.get("label")), plain(block.get("hint")),
              bool(block.get("optional")), block["element"])
        for block in view.blocks if block.get("type") == "input" and isinstance(block.get("element"), dict)
    ]


def find_field(fields: list[Field], name: str) -> Field:
    """The field labelled `name` (case ignored) or with that block_id."""
    for field in fields:
        if name.casefold() in (field.label.casefold(), field.block_id.casefold()):
            return field
    offered = ", ".join(repr(f.label) for f in fields) or "no fields"
    raise StepFailed(f"the modal has no field {name!r}; it has {offered}")


class Answers(Protocol):
    """Whoever fills modals and answers confirmation dialogs."""

    def fill(self, view: View, fields: list[Field], errors: dict[str, str],
             values: dict[str, Any]) -> dict[str, Any]:
        """The values to submit (updating `values`); raises Cancelled to close the modal instead."""
        ...

    def confirm(self, question: str) -> bool:
        """Yes or no to a confirmation dialog."""
        ...


class Keyboard:
    """A person at the terminal: asked field by field; Enter keeps a field as it is, `cancel` closes the modal."""

    def __init__(self, ask: Callable[[str], str], say: Callable[[str], None]) -> None:
        self.ask = ask
        self.say = say

    def fill(self, view: View, fields: list[Field], errors: dict[str, str],
             values: dict[str, Any]) -> dict[str, Any]:
        if not fields:
            submit = plain(view.payload.get("submit")) or "Submit"
            if not self.confirm(f"Press {submit!r}?"):
                raise Cancelled
            return values
        todo = [f for f in fields if f.block_id in errors] or fields
        if not errors:
            self.say(f"Fill in the form: Enter keeps a field, `{CLEAR}` empties it, `cancel` closes the modal.")
        for field in todo:
            values[field.block_id] = self._field(field, errors.get(field.block_id), values)
            if values[field.block_id] is None:
                del values[field.block_id]
        return values

    def _field(self, field: Field, error: str | None, values: dict[str, Any]) -> Any:
        for line in field.prompt_lines(error):
            self.say(line)
        while True:
            previous = values.get(field.block_id)
            current = previous if isinstance(previous, str) else field.current
            typed = self._read(field, f"{field.label}{f' [{current}]' if current else ''}: ")
            if typed.strip().casefold() == "cancel":
                raise Cancelled
            if typed.strip() == CLEAR and field.kind not in OPTION_ELEMENTS | {"file_input"}:
                return ""
            if not typed.strip():
                if field.optional or current or field.block_id in values:
                    return values.get(field.block_id)
                self.say("  ✗ This field is required.")
                continue
            try:
                return field.parse(typed.strip() if not field.multiline else typed)
            except ValueError as problem:
                self.say(f"  ✗ {problem}")

    def _read(self, field: Field, prompt: str) -> str:
        if not field.multiline:
            return self.ask(prompt)
        lines = [self.ask(prompt)]
        if lines[0].strip() in ("", CLEAR, "cancel"):
            return lines[0]
        while lines[-1].strip() != END_OF_LINES:
            lines.append(self.ask("... "))
        return "\n".join(line for line in lines if line.strip() != END_OF_LINES).strip("\n")

    def confirm(self, question: str) -> bool:
        while True:
            answer = self.ask(f"{question} [y/n] ").strip().casefold()
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no", "cancel"):
                return False


class Scripted:
    """A script: `fill <label>: <value>` lines up to `submit` or `cancel`; `confirm yes|no` for dialogs."""

    def __init__(self, script: Script, echo: Callable[[str, Step], None],
                 other: Callable[[Step], bool]) -> None:
        self.script = script
        self.echo = echo
        self.other = other
        """Runs a line that is not about the modal (e.g. `expect`); False when it cannot be run here."""

    def fill(self, view: View, fields: list[Field], errors: dict[str, str],
             values: dict[str, Any]) -> dict[str, Any]:
        del errors  # the console has shown them; the script's next `fill` lines answer them
        title = view.title or "modal"
        while True:
            step = self.script.next(f"the modal {title!r} was open: end it with `submit` or `cancel`")
            self.echo(f"[{title}]> ", step)
            word = step.text.partition(" ")[0].casefold()
            if word == "submit":
                return values
            if word == "cancel":
                raise Cancelled
            if word == "fill":
                name, colon, given = step.value_text[len("fill"):].strip().partition(":")
                if not colon:
                    raise StepFailed("write `fill <label>: <value>`")
                field = find_field(fields, name.strip())
                try:
                    values[field.block_id] = field.parse(given.strip() if step.body is None else step.body)
                except ValueError as problem:
                    raise StepFailed(f"{field.label}: {problem}") from None
            elif not self.other(step):
                raise StepFailed(f"the modal {title!r} is open: `fill <label>: <value>`, then `submit` or "
                                 f"`cancel`, not {step.text!r}")

    def confirm(self, question: str) -> bool:
        step = self.script.next(f"a dialog asked {question!r}: answer with `confirm yes` or `confirm no`")
        self.echo(f"{question} ", step)
        word, _, answer = step.text.casefold().partition(" ")
        if word != "confirm" or answer.strip() not in ("yes", "no", "y", "n"):
            raise StepFailed(f"a dialog asked {question!r}: answer with `confirm yes` or `confirm no`")
        return answer.strip() in ("yes", "y")
