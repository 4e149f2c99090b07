"""`loyalty-bot demo`: the whole product in a terminal, without a Slack workspace or a Coupontools account.

It starts `localstack.stack.LocalStack` (the sandbox API with demo data, the bot exactly as in production, and the
Slack stand-in) and opens a console that plays Slack's part (`console.Console`); with `--script FILE` it runs
the console's commands from a file (syntax in `localstack.demo.script`) and prints the transcript.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from localstack.demo.console import Console
from localstack.demo.forms import Keyboard, Scripted
from localstack.demo.script import Script, StepFailed, parse_script, read_script
from localstack.demo.session import logs_to
from localstack.stack import LocalStack

__all__ = ["Script", "StepFailed", "parse_script", "play", "read_script", "run_demo"]

BANNER = """loyalty-bot demo: the bot as it runs in production, a stand-in for Slack, and a sandbox loyalty API
with demo data (cards "Coffee Club" and "VIP Membership"), all on this machine.
People: vera (viewer), omar (operator), alice and bob (admins). Channels: #general, #approvals.
Try /loyalty help, /loyalty cards, /loyalty member "Coffee Club" grace@example.com; `help` lists console commands."""


def run_demo(script: Path | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the console (or the script) against a fresh local stack; 0 when every step worked, else 1."""
    out = stdout or sys.stdout
    steps = None
    if script is not None:
        try:
            steps = Script(read_script(script))
        except (OSError, UnicodeDecodeError, StepFailed) as problem:
            print(f"loyalty-bot demo: cannot read the script {script}: {problem}", file=sys.stderr)
            return 2
    workdir = Path(tempfile.mkdtemp(prefix="loyalty-demo-"))
    log_file = workdir / "demo.log"
    ok = False
    with logs_to(log_file):
        stack = LocalStack(workdir=workdir, loyalty_sandbox=True)  # every reply says it is demo data
        try:
            stack.start()
            print(BANNER, file=out)
            print(f"The bot's and servers' logs: {log_file} (removed when the demo ends without a failure)\n",
                  file=out, flush=True)
            if steps is not None:
                ok = play(stack, steps, out)
            else:
                ask = _reader(stdin, out)
                Console(stack, out, lambda c: Keyboard(ask, c.say)).interact(ask)
                ok = True
        finally:
            print("Stopping the bot, the Slack stand-in and the sandbox…", file=out, flush=True)
            stack.stop()
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"The logs and the database are kept in {workdir}", file=out, flush=True)
    return 0 if ok else 1


def play(stack: LocalStack, steps: Script, out: TextIO) -> bool:
    """Run a script's steps against a started stack, printing the transcript; whether every step worked."""
    return Console(stack, out, lambda c: Scripted(steps, c.echo, c.modal_line)).run_script(steps)


def _reader(stdin: TextIO | None, out: TextIO) -> Callable[[str], str]:
    """`input()` (with line editing) at a terminal; reads that echo what they read from a pipe or file."""
    source = stdin or sys.stdin
    if source is sys.stdin and out is sys.stdout and source.isatty():
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - importing it gives input() line editing and history
        return input

    def read(prompt: str) -> str:
        out.write(prompt)
        line = source.readline()
        if not line:
            raise EOFError
        # piped input is not echoed by a terminal: write it, so the output reads like a session
        out.write(line if line.endswith("\n") else line + "\n")
        out.flush()
        return line.rstrip("\n")

    return read
