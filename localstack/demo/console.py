"""The demo console: plays Slack's part for one person at a time, through the same signed requests Slack sends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from bot.views import ids
from localstack.demo.forms import Answers, Cancelled, form_fields
from localstack.demo.screen import Shown, Target, changes_since, is_form, is_loading, show
from localstack.demo.script import Script, Step, StepFailed
from localstack.demo.session import WorkWatch
from localstack.slack import Ack, BenchTimeout, View, controls
from localstack.slack.render import plain
from localstack.stack import GENERAL, PEOPLE, LocalStack, Person

QUIET = 0.15
"""After the bot's work is done, how long nothing may change before the console shows the result."""

CHANNEL_SHOWN = 10
"""How many of a channel's latest messages `channel #name` shows."""

ALIASES = {"viewer": "vera", "operator": "omar", "admin": "alice", "admin2": "bob"}

HELP = """Console commands (Slack's part; the bot answers as it would in Slack):
  /loyalty <subcommand> …   type the slash command as the current person (try /loyalty help)
  as <name>                 switch person: vera (viewer), omar (operator), alice or bob (admins)
  click <N>                 press button or menu option [N] / (N) of the last output
  channel #<name>           show #general or #approvals, and type there from now on
  home                      open the app's Home tab
  shortcut                  run the app's "Look up member" shortcut
  cancel                    close the open modal
  expect <text>             check that the last output contains <text>
  help                      this list
  exit                      stop everything (Ctrl-D does too)
A modal is filled field by field: Enter keeps a field as it is, `-` empties it, `cancel` closes the modal."""


class Console:
    """Reads console commands, sends what Slack would send, and prints what the person would see."""

    def __init__(self, stack: LocalStack, out: TextIO, answers: Callable[[Console], Answers], *,
                 timeout: float = 15.0) -> None:
        self.stack = stack
        self.slack = stack.slack
        self.driver = stack.driver
        self.out = out
        self.answers = answers(self)
        self.timeout = timeout
        self.work = WorkWatch(stack.services)
        self.person: Person = next(p for p in PEOPLE if p.name == "alice")
        self.channel = GENERAL
        self.screen: list[Shown] = []
        self.output: list[str] = []
        self.step: Step | None = None

    # -- what the person sees ----------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        return f"{self.person.name} ({self.person.role}) in #{self.slack.channel_name(self.channel)}> "

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)
        self.output.append(text)

    def echo(self, prompt: str, step: Step) -> None:
        """A script line as if typed after the prompt, so the transcript reads like a session."""
        self.step = step
        # printed, not recorded: an `expect` must never match its own words
        body = f"\n{step.body}\n{step.end}" if step.body is not None else ""
        print(prompt + step.text + body, file=self.out, flush=True)

    # -- the commands -----------------------------------------------------------------------------------

    def run_line(self, line: str) -> bool:
        """Carry out one console command; False when the person asked to exit. Raises StepFailed."""
        word, _, rest = line.strip().partition(" ")
        key, rest = word.casefold(), rest.strip()
        if key == "expect":
            self.expect(rest)
            return True
        self.output = []
        commands: dict[str, Callable[[str], None]] = {
            "/loyalty": self.slash, "as": self.switch, "click": self.click, "channel": self.open_channel,
            "home": lambda _: self.home(), "shortcut": lambda _: self.shortcut(),
            "cancel": lambda _: self.cancel(), "close": lambda _: self.cancel(),
            "help": lambda _: self.say(HELP),
        }
        if key in ("exit", "quit"):
            return False
        if key in commands:
            commands[key](rest)
        elif key in ("fill", "submit", "confirm"):
            raise StepFailed(f"`{word}` answers an open modal or dialog, and none is waiting")
        elif key.startswith("/"):
            raise StepFailed(f"this workspace only has the app's /loyalty command, not {word}")
        else:
            raise StepFailed(f"{word!r} is not a console command; type `help`")
        return True

    def slash(self, text: str) -> None:
        self._exchange(lambda: self.driver.command(text, user=self.person.user_id, channel=self.channel))

    def switch(self, name: str) -> None:
        wanted = ALIASES.get(name.casefold(), name.casefold())
        person = next((p for p in PEOPLE if p.name == wanted), None)
        if person is None:
            raise StepFailed(f"there is nobody called {name!r}: pick vera, omar, alice or bob")
        self.person, self.screen = person, []  # someone else cannot click what was shown to the last person
        self.say(f"You are {person.name} ({person.role}) now.")

    def open_channel(self, name: str) -> None:
        wanted = name.removeprefix("#").casefold()
        with self.slack.workspace.lock:
            channel = next((c for c in self.slack.workspace.channels.values()
                            if not c.is_im and wanted in (c.name.casefold(), c.id.casefold())), None)
        if channel is None:
            raise StepFailed(f"there is no channel {name!r}: try #general or #approvals")
        self.channel = channel.id
        messages: list[Target] = list(self.slack.messages(channel.id))
        if not messages:
            self.say(f"#{channel.name} has no messages yet.")
        elif len(messages) > CHANNEL_SHOWN:
            self.say(f"(#{channel.name}: the latest {CHANNEL_SHOWN} of {len(messages)} messages)")
        self._show(messages[-CHANNEL_SHOWN:])

    def home(self) -> None:
        self._exchange(lambda: self.driver.app_home_opened(user=self.person.user_id), home=True)

    def shortcut(self) -> None:
        self._exchange(lambda: self.driver.shortcut(ids.LOOKUP_SHORTCUT, user=self.person.user_id))

    def click(self, number: str) -> None:
        choices = [(item, control) for item in self.screen for control in item.controls]
        if not number.isdigit() or not 1 <= int(number) <= len(choices):
            offered = f"; the last output offers 1 to {len(choices)}" if choices else ": nothing shown has buttons"
            raise StepFailed(f"there is no [{number}] to click{offered}")
        item, control = choices[int(number) - 1]
        if control not in controls(item.target.blocks):
            raise StepFailed(f"[{number}] {control.label!r} is gone: the message changed since it was shown")
        if control.element.get("url"):
            self.say(f"(Slack opens {control.element['url']} in the browser.)")
        dialog = control.element.get("confirm")
        if isinstance(dialog, dict):
            self.say(f"┌ {plain(dialog.get('title'))}\n│ {plain(dialog.get('text'))}\n└ "
                     f"<{plain(dialog.get('deny')) or 'Cancel'}>  <{plain(dialog.get('confirm')) or 'Yes'}>")
            if not self.answers.confirm(f"Press <{plain(dialog.get('confirm')) or 'Yes'}>?"):
                self.say("Nothing was done: you said no.")
                return
        self._exchange(lambda: self.driver.click(item.target, choice=control, user=self.person.user_id),
                       expect_reply=not control.element.get("url"))

    def cancel(self) -> None:
        top = self.slack.modal(self.person.user_id)
        if top is None:
            raise StepFailed("no modal is open")
        violations = len(self.slack.violations)
        ack = self.driver.close(top, user=self.person.user_id)
        self.say(f"(You closed {top.title!r}.)")
        if ack is not None:  # the bot asked to hear about it, and may answer
            self._check(ack)
            self._settle(ack.since, None, violations, expect_reply=False)

    def modal_line(self, step: Step) -> bool:
        """A script line met while a modal is open that is not about the modal: only `expect` may run there."""
        word, _, rest = step.text.partition(" ")
        if word.casefold() != "expect":
            return False
        self.expect(rest.strip())
        return True

    def expect(self, text: str) -> None:
        wanted = _normal(text)
        if not wanted:
            raise StepFailed("write `expect <text>`")
        if wanted not in _normal("\n".join(self.output)):
            raise StepFailed(f"expected {text!r} in the last output, and it is not there")

    # -- one exchange with the bot ---------------------------------------------------------------------------

    def _exchange(self, send: Callable[[], Ack], *, home: bool = False, expect_reply: bool = True) -> None:
        """Send one request, wait until the bot has finished answering, show the answer, fill any form it opened."""
        before, violations = self.slack.modal(self.person.user_id), len(self.slack.violations)
        ack = send()
        self._check(ack)
        form = self._fresh_form(self._settle(ack.since, before, violations, home=home, expect_reply=expect_reply))
        while form is not None:
            form = self._fill(form)

    def _check(self, ack: Ack) -> None:
        if not ack.ok:
            raise StepFailed(f"the bot answered HTTP {ack.status} {ack.body[:200]!r}")

    def _settle(self, since: int, before: View | None, violations: int, *, home: bool = False,
                expect_reply: bool = True) -> list[Shown]:
        """Wait for the bot's reply and for its work to finish, then show everything that changed.

        `before` is the modal the person was looking at when the request left: its closing is an answer too.
        """
        user, deadline = self.person.user_id, time.monotonic() + self.timeout

        def visible() -> list[Any]:
            found = changes_since(self.slack, user, since)
            published = self.slack.home(user)
            if home and published is not None and published.seq > since:
                found.append(published)
            return found

        def answered() -> bool:
            top = self.slack.modal(user)
            return (bool(visible()) or top is not before) and not is_loading(top)

        try:
            if expect_reply:
                self.slack.wait_for(answered, timeout=self.timeout, what="the bot's reply")
            while True:
                idle = self.work.wait_idle(deadline)
                seq = self.slack.workspace.seq

                def moved(seq: int = seq) -> bool:
                    return self.slack.workspace.seq != seq

                try:
                    self.slack.wait_for(moved, timeout=QUIET)
                except BenchTimeout:
                    if idle and not is_loading(self.slack.modal(user)):
                        break
                if time.monotonic() > deadline:
                    raise BenchTimeout("the bot was still busy")
        except BenchTimeout:
            self._refused(violations)
            raise StepFailed(f"the bot showed nothing complete within {self.timeout:g} seconds") from None
        self._refused(violations)
        shown = self._show(sorted(visible(), key=lambda item: item.seq))
        if before is not None and self.slack.modal(user) is None:
            self.say("(The modal closed.)")
        return shown

    def _refused(self, before: int) -> None:
        if len(self.slack.violations) > before:
            problems = "; ".join(p for v in self.slack.violations[before:] for p in v.problems)
            raise StepFailed(f"Slack would have refused what the bot sent: {problems}")

    def _show(self, targets: list[Target]) -> list[Shown]:
        shown = show(self.slack, targets, self.person.user_id)
        for item in shown:
            self.say(item.text)
        if any(item.controls for item in shown):
            self.screen = shown
        return shown

    def _fresh_form(self, shown: list[Shown]) -> View | None:
        top = self.slack.modal(self.person.user_id)
        return top if is_form(top) and any(item.target is top for item in shown) else None

    def _fill(self, view: View) -> View | None:
        """Fill and submit a modal until the bot accepts it; the next form it opens, if any."""
        user, fields = self.person.user_id, form_fields(view)
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        while True:
            try:
                values = self.answers.fill(view, fields, errors, values)
            except Cancelled:
                self.cancel()
                return None
            # Slack's own client refuses to submit an empty required field, so the bot never hears of it
            errors = {f.block_id: "This field is required." for f in fields if not f.optional and (
                values[f.block_id] in ("", []) if f.block_id in values else not f.current)}
            if not errors:
                violations = len(self.slack.violations)
                try:
                    ack = self.driver.submit(view, values, user=user)
                except ValueError as refused:
                    raise StepFailed(f"Slack would not submit this form: {refused}") from None
                self._check(ack)
                errors = ack.errors
                if not errors:
                    return self._fresh_form(self._settle(ack.since, view, violations))
            labels = {f.block_id: f.label for f in fields}
            for block_id, message in errors.items():
                self.say(f"  ✗ {labels.get(block_id, block_id)}: {message}")

    # -- running ------------------------------------------------------------------------------------------------

    def run_script(self, script: Script) -> bool:
        """Run every step, echoing each after the prompt; False at the first step that fails."""
        while script:
            step = script.next("")
            self.echo(self.prompt, step)
            try:
                if not self.run_line(step.text):
                    return True
            except StepFailed as failure:
                line = self.step.line if self.step else step.line
                self.say(f"✗ Step failed (script line {line}): {failure}")
                return False
        return True

    def interact(self, ask: Callable[[str], str]) -> None:
        """Read commands until `exit` or end of input; a step that fails is explained, and the console goes on."""
        while True:
            try:
                line = ask(self.prompt)
            except KeyboardInterrupt:
                self.say("")
                continue
            except EOFError:
                self.say("")
                return
            if not line.strip() or line.strip().startswith("#"):
                continue
            try:
                if not self.run_line(line):
                    return
            except StepFailed as failure:
                self.say(f"✗ {failure}")
            except EOFError:
                self.say("")
                return
            except KeyboardInterrupt:
                self.say("(interrupted)")


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()
