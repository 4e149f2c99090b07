"""Benchmark of `/loyalty stats` and `/loyalty export` on a card of 20,000 members in the sandbox.

    .venv/bin/python bench/insights_bench.py [--members 20000] [--latency 0] [--repeat 3]

Stats: the time to the figures (every member paged from the API, the audit log's period read, the figures
worked out) and then to the chart (matplotlib imported and the PNG drawn), the peak RSS each adds, the API
pages fetched, and a second request within the TTL (served from the per-card cache: no API call).
Export: the time to write every member as CSV to a file as the pages arrive, and the peak RSS it adds.

The sandbox runs in its own process (its memory is not counted); each measurement runs in a fresh child
process, so its peak RSS (ru_maxrss) starts from the same baseline: the bot's modules imported, nothing read.
`--latency` makes the sandbox wait that long before each page, as a remote API does (the sandbox's default: 0).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

KEY, SECRET = "bench-key", "bench-secret"


def serve_sandbox(pipe: Connection, members: int, latency: float) -> None:
    """Child process: a sandbox whose stamp card has `members` more members, with stamps and rewards."""
    from bot.sandbox import DEMO_STAMP_CARD_ID, SandboxServer

    server = SandboxServer(api_key=KEY, api_secret=SECRET, port=0).start()
    state = server.state
    rng = random.Random(7)
    rows = [{"first_name": f"Member{n}", "last_name": "Bench", "email": f"member{n}@example.com",
             "phone": f"+32470{n:06d}", "city": "Brussels"} for n in range(members)]
    created = state.create_members(DEMO_STAMP_CARD_ID, rows)
    for member in created:
        for _ in range(rng.randint(0, 3)):
            state.add_stamps(DEMO_STAMP_CARD_ID, member["id"], rng.randint(1, 9))
    if latency:
        server.faults.latency(latency, method="GET", path="/stats")
    pipe.send(server.base_url)
    pipe.recv()  # "stop"
    server.stop()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def counting_transport() -> Any:
    """An httpx transport that counts the member pages it fetches."""
    import httpx

    class Counting(httpx.HTTPTransport):
        pages = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and request.url.path.endswith("/stats"):
                Counting.pages += 1
            return super().handle_request(request)

    return Counting()


def measure_stats(base_url: str) -> dict[str, Any]:
    """In a fresh process: figures, then a cached second request, then the chart."""
    from bot.coupontools.client import LoyaltyClient
    from bot.sandbox import DEMO_STAMP_CARD_ID
    from bot.stats import MemberCache, card_figures, draw_chart, read_members
    from bot.store import Store

    transport = counting_transport()
    with tempfile.TemporaryDirectory() as folder, Store.connect(f"sqlite:///{folder}/bench.db") as store, \
            LoyaltyClient(base_url, KEY, SECRET, transport=transport) as loyalty:
        card = next(card for card in loyalty.list_cards() if card.id == DEMO_STAMP_CARD_ID)
        cache = MemberCache(600)
        baseline = _rss_mib()
        started = time.perf_counter()
        members = read_members(loyalty, card)
        cache.put(card.id, members)
        figures = card_figures(card, 30, members, store.audit)
        to_figures = time.perf_counter() - started
        after_figures = _rss_mib()
        first_pages = transport.pages
        again = time.perf_counter()
        cached = cache.get(card.id)
        assert cached is not None
        card_figures(card, 7, cached, store.audit)
        second = time.perf_counter() - again
        second_pages = transport.pages - first_pages
        drawing = time.perf_counter()
        png = draw_chart(figures)
        to_chart = time.perf_counter() - drawing
        return {"to_figures": to_figures, "to_chart": to_chart, "second": second, "png_kib": len(png) / 1024,
                "members": members.live + members.voided, "rss_figures": after_figures - baseline,
                "rss_chart": _rss_mib() - after_figures,
                "pages": first_pages, "second_pages": second_pages}


def measure_export(base_url: str) -> dict[str, Any]:
    """In a fresh process: every member of the card written as CSV to a file as the pages arrive."""
    from bot.coupontools.client import LoyaltyClient
    from bot.coupontools.paging import WHOLE_LIST_PAGE
    from bot.export import write_members
    from bot.sandbox import DEMO_STAMP_CARD_ID

    with tempfile.TemporaryDirectory() as folder, LoyaltyClient(base_url, KEY, SECRET) as loyalty:
        path = Path(folder) / "members.csv"
        baseline = _rss_mib()
        started = time.perf_counter()
        with path.open("w", encoding="utf-8", newline="") as out:
            rows = write_members(loyalty.iter_members(DEMO_STAMP_CARD_ID, page_size=WHOLE_LIST_PAGE), out)
        seconds = time.perf_counter() - started
        # what the upload then reads (slack-sdk reads a file path whole before sending it)
        size = len(path.read_bytes())
        return {"seconds": seconds, "rows": rows, "csv_mib": size / 1024 / 1024, "rss": _rss_mib() - baseline}


def in_fresh_process(task: Any, base_url: str) -> dict[str, Any]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return dict(pool.apply(task, (base_url,)))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the sandbox waits before each page")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_sandbox, args=(theirs, args.members, args.latency), daemon=True)
    child.start()
    base_url = ours.recv()

    try:
        stats_runs = [in_fresh_process(measure_stats, base_url) for _ in range(args.repeat)]
        export_runs = [in_fresh_process(measure_export, base_url) for _ in range(args.repeat)]
    finally:
        ours.send("stop")
        child.join(timeout=10)

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def listed(runs: list[dict[str, Any]], key: str, unit: str = "s") -> str:
        return ", ".join(f"{run[key]:.2f}{unit}" for run in runs)

    print(f"card members (live + voided): {stats_runs[0]['members']:,}  repeats: {args.repeat}  "
          f"sandbox latency per page: {args.latency * 1000:.0f} ms")
    print(f"stats, time to figures (median): {median(stats_runs, 'to_figures'):.2f} s   "
          f"runs: {listed(stats_runs, 'to_figures')}   (goal: <= 10 s)")
    print(f"stats, then time to chart (median): {median(stats_runs, 'to_chart'):.2f} s   "
          f"runs: {listed(stats_runs, 'to_chart')}   (goal: <= 2 s after the figures)")
    print(f"stats, peak RSS added by the figures (median): {median(stats_runs, 'rss_figures'):.1f} MiB   "
          f"runs: {listed(stats_runs, 'rss_figures', ' MiB')}")
    print(f"stats, peak RSS added by the chart (median): {median(stats_runs, 'rss_chart'):.1f} MiB   "
          f"runs: {listed(stats_runs, 'rss_chart', ' MiB')}   (goal for both: <= 100 MiB)")
    print(f"stats, API pages fetched by the first request: {[run['pages'] for run in stats_runs]}")
    print(f"stats, second request within the TTL: {median(stats_runs, 'second') * 1000:.1f} ms, "
          f"API pages fetched: {[run['second_pages'] for run in stats_runs]}")
    print(f"stats, chart PNG: {median(stats_runs, 'png_kib'):.0f} KiB")
    print(f"export, rows: {export_runs[0]['rows']:,}  CSV: {export_runs[0]['csv_mib']:.1f} MiB")
    print(f"export, time (median): {median(export_runs, 'seconds'):.2f} s   runs: {listed(export_runs, 'seconds')}")
    print(f"export, peak RSS added (median): {median(export_runs, 'rss'):.1f} MiB   "
          f"runs: {listed(export_runs, 'rss', ' MiB')}")


if __name__ == "__main__":
    main()
