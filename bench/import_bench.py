"""Benchmark of `/loyalty import`: 10,000 rows against the sandbox, the bot's path against bare httpx.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--repeat 5] [--chunk-size 100] [--latency 0.05]

The bot's path is what an Import click runs in production after the download: decode, read the CSV (header
aliases), check every row, store the import and its chunks in the ledger and enqueue the durable import
workflow (`bot.jobs.imports.start`), which the job engine (DBOS on SQLite, started as `serve` starts it) picks
up and runs chunk by chunk (pending -> sending -> done in the ledger, each step checkpointed, progress posted
to Slack, the report and its CSV uploaded at the end). The time ends when the workflow's result is back.
The baseline sends the very same chunks, already built, with one httpx.Client and nothing else. The sandbox
and the Slack stand-in run in a child process so that their work and memory are not counted here.
Runs alternate (bot, httpx, bot, httpx…) against a freshly reset sandbox and the medians are compared.
Peak memory is measured with tracemalloc in separate runs (tracing slows Python down) for both paths.
`--latency` makes the sandbox wait before each bulk answer, as a remote API does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from dbos import DBOS

from bot.app import build_services
from bot.config import Settings
from bot.imports.check import check
from bot.imports.csvfile import decode, read_table
from bot.interaction import Interaction
from bot.jobs import imports
from bot.phones import _e164
from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer
from bot.services import Services
from localstack.slack import FakeSlack
from localstack.stack import BOT_TOKEN, GENERAL, OPERATOR

KEY, SECRET = "bench-key", "bench-secret"


def serve_sandbox(pipe: Connection, latency: float) -> None:
    """Child process: run a sandbox and a Slack stand-in, report their URLs, reset the sandbox on request until
    told to stop."""
    server = SandboxServer(api_key=KEY, api_secret=SECRET, port=0).start()
    slack = FakeSlack(bot_token=BOT_TOKEN).start()
    slack.add_user(OPERATOR, "omar")
    slack.add_channel(GENERAL, "general")
    pipe.send((server.base_url, slack.api_url))
    while (command := pipe.recv()) != "stop":
        if command == "reset":
            server.reset()
            if latency:
                server.faults.latency(latency, path="/stats/bulk")
        pipe.send("ok")
    slack.stop()
    server.stop()


def make_csv(rows: int) -> bytes:
    """A realistic export: BOM, semicolons, CRLF, aliased headers, one unknown column."""
    lines = ["First name;Last name;E-mail;Mobile;Street;Postal code;Town;Custom 1;Notes"]
    lines += [f"Member{n};Bench;member{n}@example.com;+32 470 {n:06d};Main street {n};{1000 + n % 9000};"
              f"Brussels;tier {n % 3};note {n}" for n in range(rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def start_bot(base_url: str, slack_url: str, workdir: Path, chunk_size: int) -> Services:
    """This process's services with the job engine running jobs, as `loyalty-bot serve` starts them."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN, "slack_signing_secret": "bench-signing-secret", "slack_api_url": slack_url,
        "coupontools_base_url": base_url, "coupontools_api_key": KEY, "coupontools_api_secret": SECRET,
        "database_url": f"sqlite:///{workdir / 'loyalty-bot.db'}", "loyalty_operators": (OPERATOR,),
        "loyalty_import_chunk_size": chunk_size,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    services = build_services(settings)
    services.start_jobs()
    return services


def bot_path(services: Services, data: bytes) -> int:
    """Decode, read and check, store the import in the ledger, enqueue it and wait for its workflow; returns
    members created."""
    _e164.cache_clear()  # every timed run reads its phones afresh, as a new file's are
    checked = check(read_table(decode(data)))
    import_id = uuid.uuid4().hex
    who = Interaction(user_id=OPERATOR, client=services.slack, channel_id=GENERAL)
    imports.start(services, who, import_id, DEMO_STAMP_CARD_ID, checked)
    # Polled every 10 ms: the handle's default (1 s) would add up to a second nobody waits for (the report is
    # posted by then).
    outcome: str = DBOS.retrieve_workflow(f"import-{import_id}").get_result(polling_interval_sec=0.01)
    assert outcome == "ok", outcome
    return sum(len(chunk.created) for chunk in services.store.imports.chunks(import_id))


def httpx_path(base_url: str, chunks: list[list[dict[str, str]]]) -> int:
    """POST the prepared chunks with a bare httpx.Client; returns members created."""
    created = 0
    headers = {"x-api-key": KEY, "x-api-secret": SECRET, "content-type": "application/json"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        for chunk in chunks:
            response = http.post(f"/loyalty/loyalty-cards/{DEMO_STAMP_CARD_ID}/stats/bulk", json=chunk)
            response.raise_for_status()
            created += len(response.json())
    return created


def timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    created = run()
    return time.perf_counter() - started, created


def peak(run: Callable[[], int]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the sandbox waits before answering each bulk request (a remote API's delay)")
    args = parser.parse_args()

    data = make_csv(args.rows)
    checked = check(read_table(decode(data)))
    rows = list(checked.members())
    chunks = [rows[i:i + args.chunk_size] for i in range(0, len(rows), args.chunk_size)]

    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=serve_sandbox, args=(theirs, args.latency),
                                                          daemon=True)
    child.start()
    base_url, slack_url = ours.recv()
    workdir = tempfile.TemporaryDirectory(prefix="import-bench-")
    services = start_bot(base_url, slack_url, Path(workdir.name), args.chunk_size)

    def fresh(run: Callable[[], int]) -> Callable[[], int]:
        ours.send("reset")
        ours.recv()
        return run

    try:
        # A serving process has been up for a while when someone clicks Import: one small import first, so the
        # timed ones do not wait for the engine's queue threads to start (about a second after launch).
        fresh(lambda: bot_path(services, make_csv(10)))()
        bot_times, httpx_times = [], []
        for _ in range(args.repeat):
            seconds, created = timed(fresh(lambda: bot_path(services, data)))
            assert created == args.rows, created
            bot_times.append(seconds)
            seconds, created = timed(fresh(lambda: httpx_path(base_url, chunks)))
            assert created == args.rows, created
            httpx_times.append(seconds)
        bot_peak = peak(fresh(lambda: bot_path(services, data)))
        httpx_peak = peak(fresh(lambda: httpx_path(base_url, chunks)))
    finally:
        services.close()
        workdir.cleanup()
        ours.send("stop")
        child.join(timeout=10)

    def check_afresh() -> int:
        _e164.cache_clear()
        return len(check(read_table(decode(data))).ok)

    check_time = statistics.median(timed(check_afresh)[0] for _ in range(args.repeat))
    bot_time, httpx_time = statistics.median(bot_times), statistics.median(httpx_times)
    print(f"rows: {args.rows:,}  chunk size: {args.chunk_size}  chunks: {len(chunks)}  repeats: {args.repeat}  "
          f"sandbox latency per bulk request: {args.latency * 1000:.0f} ms")
    print(f"CSV size: {len(data) / 1024:.0f} KiB")
    print(f"time, bot import path, durable job (median): {bot_time:.3f} s   runs: {_runs(bot_times)}")
    print(f"  of which decode + read + check alone (median): {check_time:.3f} s")
    print(f"time, bare httpx (median):                   {httpx_time:.3f} s   runs: {_runs(httpx_times)}")
    print(f"time ratio bot/httpx: {bot_time / httpx_time:.3f}  (goal: at most 1.10)")
    print(f"peak memory, bot import path: {bot_peak / 1024 / 1024:.1f} MiB (CSV bytes, parsed rows, ledger, report)")
    print(f"peak memory, bare httpx:      {httpx_peak / 1024 / 1024:.1f} MiB (rows built beforehand, not counted)")
    print(f"memory ratio bot/httpx: {bot_peak / httpx_peak:.2f}")


if __name__ == "__main__":
    main()
