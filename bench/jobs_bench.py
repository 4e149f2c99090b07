"""The durable import jobs, measured on `loyalty-bot serve` as it runs in production (SQLite and PostgreSQL).

    .venv/bin/python -m bench.jobs_bench [--imports 30] [--resumes 3] [--rss-rows 10000] [--only sqlite]

- **pickup**: the Import click sent (a signed request, as Slack sends it) → the import's first chunk request
  on the sandbox's wire; one import at a time (100 rows, one chunk), p50 and p99 over `--imports` imports;
- **resume**: `serve` killed (SIGKILL of its process tree, as a dying host) with an import half sent (0.4 s
  per chunk), started again on the same database: the restart → the first chunk resent or reconciled (a bulk
  request or a member search on the sandbox's wire); each restart also timed to /healthz;
- **peak RSS**: VmHWM of each process of `serve` (the launcher and its serving processes) at the end of a
  `--rss-rows` import at 50 ms per chunk.

The sandbox API and the Slack stand-in run in this process; `serve` in its own, configured by environment
variables. PostgreSQL is the test server (LOYALTY_TEST_POSTGRES_URL), in a fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg
from psycopg import sql

from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from bot.sandbox.server import RecordedRequest
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, render_message
from localstack.stack import API_KEY, API_SECRET, BOT_TOKEN, GENERAL, OPERATOR
from tests.jobs.processes import kill_tree, process_tree

POSTGRES_URL = os.environ.get("LOYALTY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SIGNING_SECRET = "bench-signing-secret-0123456789ab"
PICKUP_GOAL = 0.5  # seconds, p50 on PostgreSQL
RESUME_GOAL = 5.0
RSS_GOAL = 200 * 1024  # KiB
START_TIMEOUT = 60.0
CHUNK = 100


def members_csv(first: int, count: int) -> bytes:
    lines = ["first_name,last_name,email,phone"]
    lines += [f"Member{n},Bench,member{n}@example.com,+32 470 {n:06d}" for n in range(first, first + count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[dict[str, str]]:
    """DATABASE_URL (and on PostgreSQL a jobs schema) for one measurement; PostgreSQL schemas dropped after."""
    if kind == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{workdir / f'bot-{uuid.uuid4().hex[:8]}.db'}"}
        return
    app, jobs = f"bench_{uuid.uuid4().hex[:12]}", f"bench_jobs_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(app)))
    try:
        yield {"DATABASE_URL": f"{POSTGRES_URL}?options={quote(f'-csearch_path={app}', safe='')}",
               "LOYALTY_JOBS_SCHEMA": jobs}
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            for schema in (app, jobs):
                admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


class Bench:
    """The stand-ins, and `serve` started and killed against them."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.sandbox = SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0).start()
        self.slack = FakeSlack(bot_token=BOT_TOKEN).start()
        self.slack.add_user(OPERATOR, "omar")
        self.slack.add_channel(GENERAL, "general")
        self.next_row = 0

    def close(self) -> None:
        self.slack.stop()
        self.sandbox.stop()

    def env(self, db: dict[str, str]) -> dict[str, str]:
        ours = ("SLACK_", "COUPONTOOLS_", "LOYALTY_", "DATABASE_URL", "LOG_", "PORT", "WEB_CONCURRENCY")
        return {**{k: v for k, v in os.environ.items() if not k.startswith(ours)},
                "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.slack.api_url, "COUPONTOOLS_BASE_URL": self.sandbox.base_url,
                "COUPONTOOLS_API_KEY": API_KEY, "COUPONTOOLS_API_SECRET": API_SECRET,
                "LOYALTY_OPERATORS": OPERATOR, "LOYALTY_IMPORT_CHUNK_SIZE": str(CHUNK), "LOG_LEVEL": "WARNING",
                "PORT": str(_free_port()),
                # A stable name, as $DYNO gives on a platform: on this shared machine another bot process may take
                # the host-name slot a killed `serve` held, and the restarted one would then wait for the silent
                # executor's work (`SILENT_AFTER`) instead of resuming its own at once.
                "LOYALTY_EXECUTOR_ID": f"bench-{uuid.uuid4().hex[:8]}", **db}

    def serve(self, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
        """`loyalty-bot serve` started; the process and the seconds it took to answer /healthz."""
        started = time.monotonic()
        with (self.workdir / "serve.log").open("ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                                       cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{env['PORT']}/healthz"
        while True:
            if process.poll() is not None or time.monotonic() - started > START_TIMEOUT:
                kill_tree(process.pid)
                raise RuntimeError(f"serve did not start; see {self.workdir / 'serve.log'}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return process, time.monotonic() - started
            except httpx.TransportError:
                time.sleep(0.02)

    @contextmanager
    def running(self, env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
        """`serve` running, with the seconds it took to start; its process tree killed after."""
        process, healthy = self.serve(env)
        try:
            yield process, healthy
        finally:
            kill_tree(process.pid)
            process.wait(timeout=10)

    def click_import(self, env: dict[str, str], rows: int) -> float:
        """Ask for an import of `rows` new members up to the preview, then click Import; the click's wall time."""
        data = members_csv(self.next_row, rows)
        self.next_row += rows
        with SlackDriver(self.slack, app_url=f"http://127.0.0.1:{env['PORT']}/slack/events",
                         signing_secret=SIGNING_SECRET) as driver:
            driver.command(f"import {DEMO_STAMP_CARD_ID}", user=OPERATOR, channel=GENERAL)
            form = self.slack.wait_for_modal(OPERATOR, callback_id=ids.IMPORT_VIEW, timeout=30)
            driver.submit(form, {ids.IMPORT_FILE_BLOCK: [("members.csv", data)]}, user=OPERATOR)
            preview = self.slack.wait_for(
                lambda: ((m := self.slack.modal(OPERATOR)) and m.callback_id == ids.IMPORT_PREVIEW_VIEW and m)
                or None, timeout=30)
            clicked = time.time()
            driver.click(preview, action_id=ids.IMPORT_RUN, user=OPERATOR)
        return clicked

    def first_request_after(self, since: float, what: Callable[[RecordedRequest], bool], seconds: float = 60) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            hits = [r.time for r in self.sandbox.find_requests() if r.time >= since and what(r)]
            if hits:
                return min(hits)
            time.sleep(0.01)
        raise RuntimeError("no such request in time")

    def finished(self) -> int:
        return sum("is finished" in render_message(m) for m in self.slack.messages(GENERAL))

    def wait_finished(self, count: int, seconds: float = 600) -> None:
        deadline = time.monotonic() + seconds
        while self.finished() < count:
            if time.monotonic() > deadline:
                raise RuntimeError("the import did not finish in time")
            time.sleep(0.05)


def is_bulk(request: RecordedRequest) -> bool:
    return request.method == "POST" and request.path.endswith("/stats/bulk")


def is_chunk_work(request: RecordedRequest) -> bool:
    """A chunk sent again or reconciled: a bulk request, or the strict member search a reconcile starts with."""
    body = request.body if isinstance(request.body, dict) else {}
    search = request.method == "GET" and request.path.endswith("/stats")
    return is_bulk(request) or (search and isinstance(body.get("filter"), dict) and body["filter"].get("strict"))


@contextmanager
def served(bench: Bench, kind: str, latency: float = 0.0) -> Iterator[tuple[dict[str, str], subprocess.Popen[bytes]]]:
    """`serve` on a fresh database of `kind`, the sandbox answering bulk requests after `latency` seconds:
    its environment and process; its process tree killed after."""
    bench.sandbox.faults.clear()
    if latency:
        bench.sandbox.faults.latency(latency, path="/stats/bulk")
    with database(kind, bench.workdir) as db:
        env = bench.env(db)
        with bench.running(env) as (process, _):
            yield env, process
    bench.sandbox.faults.clear()


def pickup(bench: Bench, kind: str, imports: int) -> list[float]:
    seconds = []
    with served(bench, kind) as (env, _):
        for _ in range(imports):
            done = bench.finished()
            clicked = bench.click_import(env, CHUNK)
            seconds.append(bench.first_request_after(clicked, is_bulk) - clicked)
            bench.wait_finished(done + 1)
    return seconds


def resume(bench: Bench, kind: str, rows: int) -> tuple[float, float]:
    """Seconds from the restart to /healthz and to the first chunk resent or reconciled."""
    bench.sandbox.faults.clear()
    bench.sandbox.faults.latency(0.4, path="/stats/bulk")
    with database(kind, bench.workdir) as db:
        env = bench.env(db)
        done = bench.finished()
        with bench.running(env):  # killed, as a dying host, once four chunks are on the wire
            clicked = bench.click_import(env, rows)
            deadline = time.monotonic() + 60
            while len([r for r in bench.sandbox.find_requests("POST") if r.time >= clicked and is_bulk(r)]) < 4:
                if time.monotonic() > deadline:
                    raise RuntimeError("the import did not start")
                time.sleep(0.02)
        time.sleep(0.5)  # the last answer on the wire lands with nobody to read it
        restarted = time.time()
        with bench.running(env) as (_, healthy):
            first = bench.first_request_after(restarted, is_chunk_work) - restarted
            bench.wait_finished(done + 1)
    bench.sandbox.faults.clear()
    return healthy, first


def vm_hwm(pid: int) -> int:
    """Peak resident set of a process, KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss(bench: Bench, kind: str, rows: int) -> dict[int, int]:
    """VmHWM (KiB) of every process of `serve` after an import of `rows` at 50 ms per chunk."""
    with served(bench, kind, latency=0.05) as (env, process):
        done = bench.finished()
        bench.click_import(env, rows)
        bench.wait_finished(done + 1)
        return {pid: vm_hwm(pid) for pid in process_tree(process.pid)}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--imports", type=int, default=30, help="imports timed for the pickup (default 30)")
    parser.add_argument("--resumes", type=int, default=3, help="kills and restarts timed (default 3)")
    parser.add_argument("--resume-rows", type=int, default=2_000)
    parser.add_argument("--rss-rows", type=int, default=10_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--skip", action="append", default=[], choices=("pickup", "resume", "rss"))
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    print(f"machine: {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    met = True
    with tempfile.TemporaryDirectory(prefix="jobs-bench-") as folder:
        bench = Bench(Path(folder))
        try:
            for kind in kinds:
                if "pickup" not in args.skip:
                    seconds = pickup(bench, kind, args.imports)
                    p50 = statistics.median(seconds)
                    print(f"{kind:<10} pickup, click -> first chunk on the wire, {len(seconds)} imports: "
                          f"p50 {_ms(p50)}  p99 {_ms(_p99(seconds))}  max {_ms(max(seconds))}  "
                          f"min {_ms(min(seconds))}")
                    if kind == "postgresql":
                        met &= p50 <= PICKUP_GOAL
                if "resume" not in args.skip:
                    for _ in range(args.resumes):
                        healthy, first = resume(bench, kind, args.resume_rows)
                        print(f"{kind:<10} resume, restart -> healthy {healthy:.2f} s, -> first chunk resent or "
                              f"reconciled {first:.2f} s")
                        met &= first <= RESUME_GOAL
                if "rss" not in args.skip:
                    peaks = peak_rss(bench, kind, args.rss_rows)
                    shown = ", ".join(f"{kib / 1024:.0f}" for kib in peaks.values())
                    print(f"{kind:<10} peak RSS (VmHWM) of serve's processes during a {args.rss_rows:,}-row import: "
                          f"{shown} MiB (launcher first); largest {max(peaks.values()) / 1024:.0f} MiB, "
                          f"sum {sum(peaks.values()) / 1024:.0f} MiB")
                    met &= max(peaks.values()) < RSS_GOAL
        finally:
            bench.close()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"goals (pickup p50 <= {PICKUP_GOAL} s on PostgreSQL, resume <= {RESUME_GOAL:.0f} s, "
          f"peak RSS < {RSS_GOAL // 1024} MiB per process): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
