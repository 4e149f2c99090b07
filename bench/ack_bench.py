"""The 3-second rule, measured: N concurrent `/loyalty member` commands against a slowed loyalty API.

Side by side, in one run, against the same sandbox (every API call slowed to 2 s) and the same Slack stand-in:

- **ours**: the bot as it runs in production: `loyalty-bot serve` in its own process (granian, listeners
  that only parse, ack and hand off, API work on the worker pool, and the job engine started in each serving
  process, polling its queues, as `serve` does by default), configured by environment variables;
  with `--processes 1,2`, one such server per count (`ours`, `ours x2`: `serve --processes 2`);
- **starter**: a minimal Bolt app written the way slack-samples/bolt-python-starter-template writes one
  (`App()` with Bolt's defaults, `ack()` first, then the API calls inline in the listener), in its own process,
  served by the same server (`bot.web.serve`), doing the same lookups with the same API client.

This process plays Slack (the sandbox API and FakeSlack, as in `localstack.stack`, run in a third process): it sends
every command correctly signed, one socket each, all driven by one thread (see `fire`), at the same moment, then
waits (bounded) for the answers to reach the Slack stand-in. For each N it prints the ack latency (p50, p99, max),
how many acks came later than 3 s or not at all (Slack shows the user an error for those), how many answers
arrived (each must show the member, not an apology) and when the last one did. Everything stays on 127.0.0.1.

    .venv/bin/python bench/ack_bench.py                       # N = 1, 50, 200; 2 s per API call
    .venv/bin/python bench/ack_bench.py --sizes 1,20 --latency 0.5
    .venv/bin/python bench/ack_bench.py --processes 1,2,3          # ours in 1, 2 and 3 processes
    .venv/bin/python bench/ack_bench.py --only ours --sizes 200 --slow-clients 16 --idle 1000

`--slow-clients` and `--idle` hold that many hostile connections open to the app during each batch: a slow
client sends a POST's headers announcing a 2,000-byte body and then nothing; an idle one connects and sends
nothing at all.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import hmac
import http.client
import json
import logging
import os
import platform
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.config import load_settings
from bot.coupontools.client import LoyaltyClient
from bot.lookup import Lookup
from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID, SandboxServer
from bot.views.member import member_message
from bot.web import WsgiApp, make_wsgi_app, serve
from localstack.slack import FakeSlack
from localstack.stack import API_KEY, API_SECRET, BOT_TOKEN, GENERAL

SLACK_DEADLINE = 3.0
ACK_P99_GOAL = 0.3  # seconds at the largest N: a tenth of Slack's deadline, well clear of it
USER = "U0VIEWER"
COMMAND_TEXT = f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}"
EXPECTED = "Ada Lovelace"  # every answer must show the member, not an apology
SEND_TIMEOUT = 30.0  # no single request may hang the bench
START_TIMEOUT = 30.0
STALL_TIMEOUT = 60.0  # no new answer for this long: the rest are lost


# -- the starter-template app (run in its own process with `--starter`) --------------------------------------------


def starter_app() -> App:
    """A Bolt app as the starter template writes one: Bolt's defaults, ack first, then the work inline."""
    settings = load_settings()
    client = WebClient(token=settings.slack_bot_token.get_secret_value(),  # type: ignore[union-attr]
                       base_url=settings.slack_api_url)
    app = App(client=client, signing_secret=settings.slack_signing_secret.get_secret_value())  # type: ignore[union-attr]
    lookup = Lookup(LoyaltyClient(settings.coupontools_base_url,
                                  settings.coupontools_api_key.get_secret_value(),  # type: ignore[union-attr]
                                  settings.coupontools_api_secret.get_secret_value()))  # type: ignore[union-attr]

    @app.command("/loyalty")
    def loyalty_command(ack: Ack, command: dict[str, Any], respond: Respond, logger: logging.Logger) -> None:
        ack()
        try:
            _, card_ref, member_ref = str(command["text"]).split()
            card = lookup.card(card_ref)
            respond(response_type="ephemeral", **member_message(card, lookup.member(card, member_ref)).to_dict())
        except Exception as exc:
            logger.error(exc)

    return app


def serve_starter() -> None:
    """Serve the starter app on $PORT until SIGTERM, on the same server as `loyalty-bot serve` serves ours."""
    serve(_starter_process, port=load_settings().port, log_level="CRITICAL")


def _starter_process() -> WsgiApp:
    """The starter app, built in its serving process (which, spawned rather than forked, would have none of
    this process's logging set-up)."""
    logging.basicConfig(level=logging.CRITICAL)  # Bolt warns of every late ack; the figures say it
    return make_wsgi_app(starter_app(), lambda: True)


# -- the apps' processes ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _inherited() -> dict[str, str]:
    """This process's environment without any of the bot's own settings (e.g. a SLACK_APP_TOKEN)."""
    ours = ("SLACK_", "COUPONTOOLS_", "LOYALTY_", "DATABASE_URL", "LOG_", "PORT", "WEB_CONCURRENCY")
    return {name: value for name, value in os.environ.items() if not name.startswith(ours)}


class AppProcess:
    """One app in its own process, configured like production through environment variables."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], *, cwd: str) -> None:
        self.name = name
        self.kind = name.split()[0]  # "ours" or "starter", whatever the number of processes
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = os.path.join(cwd, f"{name}.log")
        with open(self.log, "w") as log:  # a file, not a pipe: nobody reads it during the run, so it must not fill
            self.process = subprocess.Popen(  # noqa: S603 - our own entry points, with this interpreter
                argv, env={**_inherited(), **env, "PORT": str(port)}, cwd=cwd,  # cwd: no stray .env is read
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.log) as log:
                    raise RuntimeError(f"{name} did not start: {log.read()[-2000:]}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM (graceful: accepted work finishes), then a kill if it does not end in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# -- the stand-ins for Slack and the loyalty API (their own process, `--stand-ins`) --------------------------------


def serve_stand_ins() -> None:
    """Run the sandbox API and FakeSlack; answer one JSON request per stdin line until stdin closes.

    They live apart from the load generator so that their work (answering the apps' API calls) does not
    slow down the reading of acks, just as Slack's and the API's servers are not Slack's load generator.
    """
    logging.basicConfig(level=logging.CRITICAL)
    with SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0) as sandbox, \
            FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.add_user(USER, "vera")
        _answer({"slack_api_url": slack.api_url, "sandbox_url": sandbox.base_url})
        for line in sys.stdin:
            request = json.loads(line)
            if request["do"] == "prepare":
                since = slack.mark()
                _answer({"since": since, "bodies": [_command_body(slack) for _ in range(request["n"])]})
            elif request["do"] == "answers":
                answers = [call.time for call in slack.calls("response_url", since=request["since"])
                           if call.ok and EXPECTED in str(call.params.get("text"))]
                _answer({"delivered": len(answers), "last": max(answers, default=None)})
            elif request["do"] == "latency":
                sandbox.faults.clear()
                if request["seconds"]:
                    sandbox.faults.latency(request["seconds"])
                _answer({})


def _answer(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


class StandIns:
    """The stand-ins' process, seen from the load generator: ask it things, one JSON line each way."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - this very script, with the interpreter running it
            [sys.executable, os.path.abspath(__file__), "--stand-ins"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        hello = self._read()
        self.slack_api_url: str = hello["slack_api_url"]
        self.sandbox_url: str = hello["sandbox_url"]

    def _read(self) -> dict[str, Any]:
        line = self._process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"the stand-ins' process ended (exit code {self._process.wait(timeout=5)})")
        return json.loads(line)  # type: ignore[no-any-return]

    def ask(self, do: str, **fields: Any) -> dict[str, Any]:
        self._process.stdin.write(json.dumps({"do": do, **fields}) + "\n")  # type: ignore[union-attr]
        self._process.stdin.flush()  # type: ignore[union-attr]
        return self._read()

    def close(self) -> None:
        """Closing stdin ends the process's loop; it stops its servers and exits."""
        self._process.stdin.close()  # type: ignore[union-attr]
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


# -- the load generator -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    latency: float
    status: int


@dataclass(frozen=True)
class Figures:
    app: str
    kind: str
    n: int
    ack_p50: float
    ack_p99: float
    ack_max: float
    late_or_failed: int
    delivered: int
    last_answer: float | None


def _signed(secret: str, body: str) -> dict[str, str]:
    """Headers as Slack sends them: the v0 HMAC-SHA256 signature of `v0:<timestamp>:<body>`."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}"}


def _command_body(slack: FakeSlack) -> str:
    """A slash command as Slack sends it, with its own response URL and trigger id."""
    return urlencode({
        "token": "unused", "team_id": slack.team_id, "team_domain": "loyalty", "channel_id": GENERAL,
        "channel_name": "general", "user_id": USER, "user_name": "vera", "command": "/loyalty",
        "text": COMMAND_TEXT, "api_app_id": slack.config.app_id, "is_enterprise_install": "false",
        "response_url": slack.issue_response_url(USER, GENERAL), "trigger_id": slack.issue_trigger(USER),
    })


def _request_bytes(path: str, host: str, body: str, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 POST as it goes on the wire, built before the clock starts."""
    encoded = body.encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(encoded)}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + encoded


def _status(response: bytes) -> int | None:
    """The status of a complete response (headers and Content-Length bytes of body), None while incomplete."""
    head, separator, body = response.partition(b"\r\n\r\n")
    if not separator:
        return None
    status_line, *header_lines = head.split(b"\r\n")
    length = 0
    for line in header_lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return int(status_line.split()[1]) if len(body) >= length else None


def fire(url: str, requests: list[tuple[str, dict[str, str]]]) -> tuple[float, list[Sent]]:
    """Send every request at the same moment, one socket each; returns (start, results).

    One thread drives all the sockets (non-blocking, `selectors`): it connects them all, writes each request
    as its connection opens and reads each response as it arrives, so the load generator spends a few
    microseconds per request and its own CPU time does not show up as the app's latency (200 threads with
    `http.client` did: against an app that answers at once they alone made p99 ~1.5x longer). Each latency runs
    from that request's connect to the last byte of its response, as Slack would time it.
    """
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    wire = [_request_bytes(parts.path, parts.netloc, body, headers) for body, headers in requests]
    results: list[Sent] = [Sent(SEND_TIMEOUT, 0)] * len(requests)
    received = [bytearray() for _ in requests]
    started = [0.0] * len(requests)
    selector = selectors.DefaultSelector()
    start = time.time()
    for index in range(len(requests)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        started[index] = time.perf_counter()
        if sock.connect_ex(address) not in (0, errno.EINPROGRESS):
            sock.close()
            results[index] = Sent(0.0, 0)
            continue
        selector.register(sock, selectors.EVENT_WRITE, index)
    deadline = time.monotonic() + SEND_TIMEOUT
    while selector.get_map() and time.monotonic() < deadline:
        for key, events in selector.select(timeout=1.0):
            sock, index = key.fileobj, key.data
            assert isinstance(sock, socket.socket)
            try:
                if events & selectors.EVENT_WRITE:
                    sock.sendall(wire[index])  # a few hundred bytes: the socket buffer takes them at once
                    selector.modify(sock, selectors.EVENT_READ, index)
                    continue
                chunk = sock.recv(65536)
                received[index] += chunk
                status = _status(bytes(received[index]))
            except OSError:
                chunk, status = b"", None
            if status is None and chunk:
                continue
            results[index] = Sent(time.perf_counter() - started[index], status or 0)
            selector.unregister(sock)
            sock.close()
    for key in list(selector.get_map().values()):  # never answered within SEND_TIMEOUT
        key.fileobj.close()  # type: ignore[union-attr]
    selector.close()
    return start, results


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def hold_open(url: str, slow: int, idle: int) -> list[socket.socket]:
    """`slow` connections that sent a POST's headers but none of its 2,000-byte body, and `idle` that sent nothing."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    held = []
    for index in range(slow + idle):
        sock = socket.create_connection(address, timeout=SEND_TIMEOUT)
        if index < slow:
            sock.sendall(f"POST /slack/events HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: 2000\r\n"
                         "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode())
        held.append(sock)
    return held


def run_batch(stand_ins: StandIns, app: AppProcess, secret: str, n: int, answer_timeout: float, *,
              slow: int = 0, idle: int = 0) -> Figures:
    """N concurrent commands to one app, with `slow` and `idle` hostile connections held open meanwhile; waits
    (bounded) until N answers reached the Slack stand-in."""
    prepared = stand_ins.ask("prepare", n=n)
    requests = [(body, _signed(secret, body)) for body in prepared["bodies"]]
    held = hold_open(app.url, slow, idle)
    try:
        start, sent = fire(f"{app.url}/slack/events", requests)
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + answer_timeout
    answers = stand_ins.ask("answers", since=prepared["since"])
    progress = time.monotonic()
    # Stop early when answers stop coming: a command whose ack never came may never be answered at all.
    while answers["delivered"] < n and time.monotonic() < min(deadline, progress + STALL_TIMEOUT):
        time.sleep(0.2)
        delivered = answers["delivered"]
        answers = stand_ins.ask("answers", since=prepared["since"])
        if answers["delivered"] > delivered:
            progress = time.monotonic()
    latencies = [s.latency for s in sent]
    late = sum(1 for s in sent if s.status != 200 or s.latency > SLACK_DEADLINE)
    last = answers["last"] - start if answers["delivered"] >= n else None
    return Figures(app.name, app.kind, n, _percentile(latencies, 0.5), _percentile(latencies, 0.99), max(latencies),
                   late, answers["delivered"], last)


# -- the report --------------------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(rows: list[Figures]) -> str:
    """The figures as a table, then starter/ours ratios per N (ratios within one run compare fairly)."""
    lines = [f"{'N':>4}  {'app':<8} {'ack p50':>9} {'ack p99':>9} {'ack max':>9} {'late/failed':>11} "
             f"{'answers':>9} {'last answer':>12}"]
    for row in rows:
        last = f"{row.last_answer:.1f} s" if row.last_answer is not None else "not all"
        lines.append(f"{row.n:>4}  {row.app:<8} {_ms(row.ack_p50):>9} {_ms(row.ack_p99):>9} {_ms(row.ack_max):>9} "
                     f"{row.late_or_failed:>11} {row.delivered:>4}/{row.n:<4} {last:>12}")
    lines.append("")
    by_n: dict[int, dict[str, Figures]] = {}
    for row in rows:
        by_n.setdefault(row.n, {})[row.app] = row
    for n, by_app in by_n.items():
        starter = by_app.get("starter")
        for ours in (row for row in by_app.values() if row.kind == "ours"):
            if not starter:
                continue
            ratio = starter.ack_p99 / ours.ack_p99 if ours.ack_p99 else float("inf")
            last = ("" if ours.last_answer is None or starter.last_answer is None
                    else f", last answer starter/{ours.app} = {starter.last_answer / ours.last_answer:.1f}x")
            lines.append(f"N={n}: ack p99 starter/{ours.app} = {ratio:.0f}x{last}")
    return "\n".join(lines)


def goal_met(rows: list[Figures], app: str) -> bool:
    """`app` at the largest N: ack p99 under `ACK_P99_GOAL` in every batch of that size; at every N no ack later
    than 3 s and every answer delivered."""
    ours = [row for row in rows if row.app == app]
    largest = max(row.n for row in ours)
    return (all(row.late_or_failed == 0 and row.delivered == row.n for row in ours)
            and all(row.ack_p99 < ACK_P99_GOAL for row in ours if row.n == largest))


def _ours_name(processes: int) -> str:
    return "ours" if processes == 1 else f"ours x{processes}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,50,200", help="comma-separated N (default 1,50,200)")
    parser.add_argument("--latency", type=float, default=2.0, help="seconds added to every API call (default 2)")
    parser.add_argument("--answer-timeout", type=float, default=600.0,
                        help="give up waiting for a batch's answers after this many seconds (default 600)")
    parser.add_argument("--only", choices=("ours", "starter"), help="run one app only")
    parser.add_argument("--processes", default="1",
                        help="comma-separated serving processes for ours, one server each (default 1)")
    parser.add_argument("--slow-clients", type=int, default=0, metavar="K",
                        help="connections holding a POST's body back, open during each batch (default 0)")
    parser.add_argument("--idle", type=int, default=0, metavar="K",
                        help="idle connections open during each batch (default 0)")
    parser.add_argument("--starter", action="store_true", help=argparse.SUPPRESS)  # the starter app's process
    parser.add_argument("--stand-ins", action="store_true", help=argparse.SUPPRESS)  # Slack's and the API's
    args = parser.parse_args(argv)
    if args.starter:
        serve_starter()
        return 0
    if args.stand_ins:
        serve_stand_ins()
        return 0
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    if any(not 1 <= n <= 500 for n in sizes):
        parser.error("each N must be from 1 to 500")
    counts = [int(part) for part in args.processes.split(",") if part.strip()]
    if not counts or any(not 1 <= count <= 16 for count in counts):
        parser.error("each process count must be from 1 to 16")

    print(f"machine: {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.platform()}")
    print(f"command: /loyalty {COMMAND_TEXT}  |  sandbox latency {args.latency} s per API call  |  held open "
          f"during each batch: {args.slow_clients} slow clients, {args.idle} idle connections")
    signing_secret = secrets.token_hex(16)
    rows: list[Figures] = []
    stand_ins = StandIns()
    apps: list[AppProcess] = []
    try:
        with tempfile.TemporaryDirectory(prefix="ack-bench-") as workdir:
            env = {
                "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": signing_secret,
                "SLACK_API_URL": stand_ins.slack_api_url, "COUPONTOOLS_BASE_URL": stand_ins.sandbox_url,
                "COUPONTOOLS_API_KEY": API_KEY, "COUPONTOOLS_API_SECRET": API_SECRET,
                "DATABASE_URL": f"sqlite:///{workdir}/loyalty-bot.db", "LOYALTY_VIEWERS": USER, "LOG_LEVEL": "WARNING",
            }
            commands = {_ours_name(count): [sys.executable, "-m", "bot", "serve", "--processes", str(count)]
                        for count in counts}
            commands["starter"] = [sys.executable, os.path.abspath(__file__), "--starter"]
            for name, command in commands.items():
                if args.only in (None, name.split()[0]):
                    apps.append(AppProcess(name, command, env, cwd=workdir))
            for app in apps:  # one-time start-up costs (auth.test, first connections) stay out of the figures
                run_batch(stand_ins, app, signing_secret, 1, answer_timeout=30)
            stand_ins.ask("latency", seconds=args.latency)
            for n in sizes:
                for app in apps:
                    print(f"... N={n} {app.name}", file=sys.stderr, flush=True)
                    rows.append(run_batch(stand_ins, app, signing_secret, n, args.answer_timeout,
                                          slow=args.slow_clients, idle=args.idle))
            stand_ins.ask("latency", seconds=0)
            for app in apps:
                app.stop()
    finally:
        for app in apps:
            app.stop()
        stand_ins.close()
    print(report(rows))
    met = False
    for app in dict.fromkeys(row.app for row in rows if row.kind == "ours"):
        met_here = goal_met(rows, app)
        met = met or met_here
        print(f"goal ({app}: ack p99 < {ACK_P99_GOAL * 1000:.0f} ms at the largest N, no late ack, every answer): "
              f"{'met' if met_here else 'NOT met'}")
    return 0 if met or args.only == "starter" else 1


if __name__ == "__main__":
    sys.exit(main())
