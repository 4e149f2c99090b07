"""/healthz and acks while PostgreSQL stalls: connections accepted, nothing answered.

`loyalty-bot serve` runs in its own process against PostgreSQL reached through a TCP relay in this process. The
bench measures `/healthz` (R requests, C at a time) and the acks of N concurrent `/loyalty member` commands with
the database answering, then stalls the relay (it keeps every connection open, accepts new ones, and passes no
byte either way) and measures the same again. It prints p50, p99 and max latency and the statuses seen.

    .venv/bin/python bench/health_bench.py                 # PostgreSQL at 127.0.0.1:5432, user postgres, db test
    .venv/bin/python bench/health_bench.py --requests 400 --concurrency 20 --commands 50
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import psycopg
from ack_bench import SLACK_DEADLINE, USER, AppProcess, StandIns, _percentile, run_batch

from localstack.stack import API_KEY, API_SECRET, BOT_TOKEN

HEALTH_TIMEOUT = 30.0
STALE_AFTER = 8.0  # seconds: longer than the probe's freshness (bot.health.FRESH_FOR), so /healthz says 503


class StallingRelay:
    """A TCP relay to `target`; `stall()` makes it hold every byte, on old and new connections alike."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._stalled = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self._stalled.set()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            upstream = socket.create_connection(self._target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            data = source.recv(65536)
            if not data:
                return
            while self._stalled.is_set():  # hold the bytes: the database seems to think forever
                time.sleep(1)
            sink.sendall(data)


def health(url: str, requests: int, concurrency: int) -> tuple[list[float], Counter[str]]:
    """Latencies and statuses of `requests` GET /healthz, `concurrency` at a time, each on its own connection."""

    parts = urlsplit(url)

    def one(_: int) -> tuple[float, str]:
        # http.client, not httpx: a client object per request costs httpx tens of ms of CPU (its TLS context),
        # which on a loaded machine would show as the app's latency.
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=HEALTH_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            status = str(response.status)
        except OSError as exc:
            status = type(exc).__name__
        finally:
            connection.close()
        return time.perf_counter() - started, status

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    return [latency for latency, _ in results], Counter(status for _, status in results)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def line(what: str, latencies: list[float], statuses: Counter[str]) -> str:
    seen = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    return (f"{what:<34} p50 {_ms(_percentile(latencies, 0.5)):>9}  p99 {_ms(_percentile(latencies, 0.99)):>9}  "
            f"max {_ms(max(latencies)):>9}  ({seen})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--requests", type=int, default=400, help="GET /healthz per phase (default 400)")
    parser.add_argument("--concurrency", type=int, default=20, help="of those at a time (default 20)")
    parser.add_argument("--commands", type=int, default=50, help="concurrent commands per phase (default 50)")
    args = parser.parse_args(argv)

    schema = f"health_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    host, port = "127.0.0.1", int(args.postgres.rsplit(":", 1)[1].split("/")[0])
    relay = StallingRelay((host, port))
    relayed = args.postgres.replace(f":{port}/", f":{relay.port}/")
    print(f"machine: {os.cpu_count()} CPUs (nproc), load {os.getloadavg()[0]:.1f}, Python "
          f"{platform.python_version()}  |  /healthz: {args.requests} requests, {args.concurrency} at a time  |  "
          f"{args.commands} concurrent commands, API answering at once")
    secret = secrets.token_hex(16)
    stand_ins = StandIns()
    app = None
    try:
        with tempfile.TemporaryDirectory(prefix="health-bench-") as workdir:
            app = AppProcess("ours", [sys.executable, "-m", "bot", "serve"], {
                "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": secret,
                "SLACK_API_URL": stand_ins.slack_api_url, "COUPONTOOLS_BASE_URL": stand_ins.sandbox_url,
                "COUPONTOOLS_API_KEY": API_KEY, "COUPONTOOLS_API_SECRET": API_SECRET, "LOYALTY_VIEWERS": USER,
                "DATABASE_URL": f"{relayed}?options={quote(f'-csearch_path={schema}', safe='')}",
                "LOG_LEVEL": "CRITICAL",
            }, cwd=workdir)
            run_batch(stand_ins, app, secret, 1, answer_timeout=30)  # start-up costs stay out of the figures
            print(line("/healthz, database answering", *health(app.url, args.requests, args.concurrency)))
            acks = run_batch(stand_ins, app, secret, args.commands, answer_timeout=60)
            print(f"{'acks, database answering':<34} p50 {_ms(acks.ack_p50):>9}  p99 {_ms(acks.ack_p99):>9}  "
                  f"max {_ms(acks.ack_max):>9}  (later than {SLACK_DEADLINE:.0f} s or failed: {acks.late_or_failed})")
            relay.stall()
            print(line("/healthz, first seconds of a stall", *health(app.url, args.requests, args.concurrency)))
            time.sleep(STALE_AFTER)
            print(line("/healthz, database stalled", *health(app.url, args.requests, args.concurrency)))
            acks = run_batch(stand_ins, app, secret, args.commands, answer_timeout=60)
            print(f"{'acks, database stalled':<34} p50 {_ms(acks.ack_p50):>9}  p99 {_ms(acks.ack_p99):>9}  "
                  f"max {_ms(acks.ack_max):>9}  (later than {SLACK_DEADLINE:.0f} s or failed: {acks.late_or_failed}; "
                  f"answers {acks.delivered}/{args.commands})")
            app.process.kill()  # a stalled database would hold a graceful stop for its whole timeout
            app.process.wait(timeout=10)
    finally:
        if app is not None and app.process.poll() is None:
            app.process.kill()
        stand_ins.close()
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"load after the run: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
