"""Benchmark of `/loyalty import`: 10,000 rows against the sandbox, the bot's path against bare httpx.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--repeat 5] [--chunk-size 100]

The bot's path is what an Import click runs after the download: decode, read the CSV (header aliases),
check every row, and send the good ones in chunks through LoyaltyClient.create_members (which reads the
created members' ids, codes and wallet links from each answer). The baseline sends the very same chunks,
already built, with one httpx.Client and nothing else. The sandbox runs in a child process so that its
work and memory are not counted here.
Runs alternate (bot, httpx, bot, httpx…) against a freshly reset sandbox and the medians are compared.
Peak memory is measured with tracemalloc in separate runs (tracing slows Python down) for both paths.
`--latency` makes the sandbox wait before each bulk answer, as a remote API does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
import tracemalloc
from collections.abc import Callable
from multiprocessing.connection import Connection

import httpx

from bot.coupontools.client import LoyaltyClient
from bot.imports.check import check
from bot.imports.csvfile import decode, read_table
from bot.imports.run import send_rows
from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer

KEY, SECRET = "bench-key", "bench-secret"


def serve_sandbox(pipe: Connection, latency: float) -> None:
    """Child process: run a sandbox, report its URL, reset it on request until told to stop."""
    server = SandboxServer(api_key=KEY, api_secret=SECRET, port=0).start()
    pipe.send(server.base_url)
    while (command := pipe.recv()) != "stop":
        if command == "reset":
            server.reset()
            if latency:
                server.faults.latency(latency, path="/stats/bulk")
        pipe.send("ok")
    server.stop()


def make_csv(rows: int) -> bytes:
    """A realistic export: BOM, semicolons, CRLF, aliased headers, one unknown column."""
    lines = ["First name;Last name;E-mail;Mobile;Street;Postal code;Town;Custom 1;Notes"]
    lines += [f"Member{n};Bench;member{n}@example.com;+32 470 {n:06d};Main street {n};{1000 + n % 9000};"
              f"Brussels;tier {n % 3};note {n}" for n in range(rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def bot_path(base_url: str, data: bytes, chunk_size: int) -> int:
    """Decode, read, check and send through LoyaltyClient; returns members created."""
    with LoyaltyClient(base_url, KEY, SECRET) as loyalty:
        checked = check(read_table(decode(data)))
        report = send_rows(loyalty, DEMO_STAMP_CARD_ID, checked, chunk_size=chunk_size)
    return len(report.created)


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
    base_url = ours.recv()

    def fresh(run: Callable[[], int]) -> Callable[[], int]:
        ours.send("reset")
        ours.recv()
        return run

    try:
        bot_times, httpx_times = [], []
        for _ in range(args.repeat):
            seconds, created = timed(fresh(lambda: bot_path(base_url, data, args.chunk_size)))
            assert created == args.rows, created
            bot_times.append(seconds)
            seconds, created = timed(fresh(lambda: httpx_path(base_url, chunks)))
            assert created == args.rows, created
            httpx_times.append(seconds)
        bot_peak = peak(fresh(lambda: bot_path(base_url, data, args.chunk_size)))
        httpx_peak = peak(fresh(lambda: httpx_path(base_url, chunks)))
    finally:
        ours.send("stop")
        child.join(timeout=10)

    check_time = statistics.median(timed(lambda: len(check(read_table(decode(data))).ok))[0]
                                   for _ in range(args.repeat))
    bot_time, httpx_time = statistics.median(bot_times), statistics.median(httpx_times)
    print(f"rows: {args.rows:,}  chunk size: {args.chunk_size}  chunks: {len(chunks)}  repeats: {args.repeat}  "
          f"sandbox latency per bulk request: {args.latency * 1000:.0f} ms")
    print(f"CSV size: {len(data) / 1024:.0f} KiB")
    print(f"time, bot import path (median): {bot_time:.3f} s   runs: {', '.join(f'{t:.3f}' for t in bot_times)}")
    print(f"  of which decode + read + check alone (median): {check_time:.3f} s")
    print(f"time, bare httpx (median):      {httpx_time:.3f} s   runs: {', '.join(f'{t:.3f}' for t in httpx_times)}")
    print(f"time ratio bot/httpx: {bot_time / httpx_time:.3f}  (goal: at most 1.10)")
    print(f"peak memory, bot import path: {bot_peak / 1024 / 1024:.1f} MiB (CSV bytes, parsed rows, report)")
    print(f"peak memory, bare httpx:      {httpx_peak / 1024 / 1024:.1f} MiB (rows built beforehand, not counted)")
    print(f"memory ratio bot/httpx: {bot_peak / httpx_peak:.2f}")


if __name__ == "__main__":
    main()
