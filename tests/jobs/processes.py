"""Bot processes for the job tests: started as a user would, killed as a dying host would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from tests.app.test_serving import _healthy_url


def created(sandbox: SandboxServer) -> list[str]:
    with sandbox.state.lock:
        return [str(m.get("email")) for m in sandbox.state.members.values()
                if m["card_id"] == DEMO_STAMP_CARD_ID and str(m.get("first_name", "")).startswith("Member")]


@contextmanager
def serving(env: dict[str, str], cwd: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`loyalty-bot serve` with its URL once healthy; the process and its serving processes killed after."""
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", *args], env=env, cwd=cwd,  # noqa: S603
                               stdout=(cwd / "serve.log").open("a"), stderr=subprocess.STDOUT, text=True)
    try:
        yield process, _healthy_url(process, env)
    finally:
        if process.poll() is None:
            kill_tree(process.pid)
        process.wait(timeout=10)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every process below it (granian's serving processes), as a host that dies would."""
    for member in process_tree(pid):
        with suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def process_tree(pid: int) -> list[int]:
    """A process and every process below it, the process first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(children.get(current, []))
    return tree


def wait(predicate: Callable[[], object], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
