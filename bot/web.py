"""HTTP serving: Slack at POST /slack/events, a health check at GET /healthz.

Production (`loyalty-bot serve`) runs on granian (`serve`): its HTTP handling is Rust and needs no GIL, so the
interpreter's time goes to the acks. The local stack, the demo and the tests embed waitress in a thread
(`HttpServer`), which granian cannot do. Both serve the same WSGI app, and both tell the worker pool when
requests are waiting for their ack (`Traffic`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import __version__
from bot.transport import Gate

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are small; anything this big is not from Slack
HTTP_THREADS = 16  # waitress: requests are answered at the ack; slow work runs on the worker pool
GRANIAN_THREADS = 4  # granian: Python threads per process; acks are quick, a few cover a slow health check
QUIET = 0.005  # seconds without a request in the app before `Traffic.busy` says the burst is over
BACKLOG = 1024  # waitress's own default: a burst of commands waits in the kernel, not refused
CONNECTION_LIMIT = 1000  # waitress's default of 100 left the rest of a burst of 200 commands unaccepted meanwhile
ACCEPT_BATCH = 256  # connections accepted per wake-up of the server's loop (waitress takes one)
SIGNAL_POLL = 0.2  # seconds: how late a signal handler may run (see `wait_for`)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def make_wsgi_app(app: App, healthy: Callable[[], bool], gate: Gate | None = None) -> WsgiApp:
    """Route the two paths the product promises; everything else is 404. `gate` verifies before Bolt reads."""
    slack: WsgiApp = SlackRequestHandler(app, path=EVENTS_PATH)
    if gate is not None:
        slack = gate.wrap(slack)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            try:
                ok = healthy()
            except Exception:
                log.exception("health check failed")
                ok = False
            body = json.dumps({"ok": ok, "version": __version__}).encode()
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == EVENTS_PATH and method == "POST":
            if _content_length(environ) <= MAX_BODY:  # granian has no limit of its own; waitress's is the same
                return slack(environ, start_response)
            status, body = "413 Request Entity Too Large", b"Request too large"
        elif path == EVENTS_PATH:
            status, body = "405 Method Not Allowed", b"Use POST"
        else:
            status, body = "404 Not Found", b"Not Found"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


def _content_length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class Traffic:
    """Whether requests are waiting for their ack, seen from inside the app, whichever server runs it.

    `busy` is true while a request is in the app, and for `QUIET` seconds after the last one left: within a
    burst of commands the next one arrives sooner than that. The worker pool holds new slow work back while
    it is true (`Worker.hold_while`), so that a burst is acknowledged before its API calls compete with the
    acks for the interpreter.
    """

    def __init__(self, quiet: float = QUIET) -> None:
        self._quiet = quiet
        self._inside = 0
        self._last = float("-inf")
        self._lock = threading.Lock()

    def track(self, wsgi: WsgiApp) -> WsgiApp:
        """`wsgi`, counted in and out (every body this app returns is a list: done when the call returns)."""

        def tracked(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            with self._lock:
                self._inside += 1
            try:
                return wsgi(environ, start_response)
            finally:
                with self._lock:
                    self._inside -= 1
                    self._last = time.monotonic()

        return tracked

    def busy(self) -> bool:
        return self._inside > 0 or time.monotonic() - self._last < self._quiet


class HttpServer:
    """Waitress on a port (0 picks a free one), in a thread: the local stack, the demo and the tests."""

    def __init__(self, wsgi: WsgiApp, *, host: str = "0.0.0.0", port: int = 3000,  # noqa: S104
                 threads: int = HTTP_THREADS) -> None:
        self._server = waitress.create_server(
            wsgi, host=host, port=port, threads=threads, backlog=BACKLOG, max_request_body_size=MAX_BODY,
            connection_limit=CONNECTION_LIMIT, asyncore_use_poll=True,  # poll(): no select() limit of 1024 fds
            ident="loyalty-bot", clear_untrusted_proxy_headers=True, channel_timeout=30,
        )
        _accept_in_batches(self._server)
        # Waitress warns "Task queue depth is N" for each request of a burst: expected here (acks are quick),
        # and formatting one log line per request is CPU the burst's own acks are waiting for.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        host = self._server.effective_host  # type: ignore[union-attr]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        return f"http://{host}:{self.port}"

    def _loop(self) -> None:
        # Waitress's own run() loops until its sockets are closed under it, which races with a close from
        # another thread; polling a stop flag lets the loop's own thread be the one that finishes.
        server = self._server
        while not self._stopping.is_set():
            server.asyncore.loop(timeout=0.2, map=server._map, count=1, use_poll=True)  # type: ignore[union-attr]

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self._loop, name="http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, let requests in progress finish (up to a few seconds), then close."""
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=5)
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)  # type: ignore[union-attr]
        self._server.close()


def _accept_in_batches(server: Any) -> None:
    """Make waitress accept every waiting connection when its listening socket wakes it, not only one.

    Its loop accepts one connection per pass and checks every open connection on each pass, so a burst of
    200 commands took 200 passes of 200 checks before the last was even accepted; now it takes a few.
    """
    accept_one = server.handle_accept

    def handle_accept() -> None:
        for _ in range(ACCEPT_BATCH):
            open_before = len(server._map)
            accept_one()
            if len(server._map) == open_before or not server.readable():  # none waiting, or at the limit
                return

    server.handle_accept = handle_accept


def wait_for(event: threading.Event) -> None:
    """Wait in the main thread until `event` is set by a signal handler.

    Linux may hand a process's signal to any thread that does not block it, not only to the main thread;
    Python then runs the handler only when the main thread next executes code, so a main thread blocked
    without a timeout can sleep through a SIGTERM (seen here: a child SIGTERMed just after a SIGCONT).
    """
    while not event.wait(timeout=SIGNAL_POLL):
        continue


# -- production: granian, in one process or several sharing the port -------------------------------------------------

HEADER_TIMEOUT_MS = 5_000  # granian: a request's headers must have arrived within this (its default is 30 s)
BACKPRESSURE = 256  # granian: requests per serving process let into the app at once; the rest wait in the kernel
STOP_TIMEOUT = 25  # seconds a serving process may take to finish its accepted work after SIGTERM (platforms kill at 30)
GRANIAN_LOGS: dict[str, Any] = {  # granian's own log lines go through ours (one format, secrets redacted)
    "loggers": {
        "_granian": {"handlers": [], "propagate": True},
        "granian.access": {"handlers": [], "propagate": True},
    },
}


def serve(load: Callable[[], WsgiApp], *, port: int, processes: int = 1, host: str = "0.0.0.0",  # noqa: S104
          log_level: str = "INFO") -> int:
    """Serve the app `load` returns on `port` with granian, in `processes` processes, until SIGTERM or SIGINT.

    `load` runs in each serving process once it has started, never in this one: clients, connection pools,
    database engines and threads must not be shared across a fork. It must be picklable (a module-level
    function, or a `functools.partial` of one) for platforms that spawn rather than fork. This process only
    watches: on SIGTERM it stops every serving process (each stops accepting and answers what it accepted)
    and returns 0. If a serving process ends by itself, it stops the others and exits 1, so that the
    platform restarts the whole server rather than it serving on at reduced capacity.
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    level = LogLevels(log_level.lower()) if log_level.lower() in set(LogLevels) else LogLevels.info

    server = Server(
        target="loyalty-bot", address=host, port=port, interface=Interfaces.WSGI, workers=processes,
        blocking_threads=GRANIAN_THREADS, backlog=BACKLOG, log_level=level, log_dictconfig=GRANIAN_LOGS,
        workers_kill_timeout=STOP_TIMEOUT, respawn_failed_workers=False, websockets=False,
        # Slow clients: Slack speaks HTTP/1.1 and sends its headers at once; a client that dribbles them is cut
        # off, and however many connect, at most BACKPRESSURE requests per process wait for the app.
        http=HTTPModes.http1, backpressure=BACKPRESSURE,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_TIMEOUT_MS),
    )
    server.serve(target_loader=load, wrap_loader=False)
    return 0
