"""HTTP serving: Slack at POST /slack/events, a health check at GET /healthz.

Production (`loyalty-bot serve`) runs on granian (`serve`). The local stack, the demo and the tests serve the
same WSGI app from a small stdlib server in a thread (`localstack/web.py`), which granian cannot do.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import __version__
from bot.transport import Gate

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are small; anything this big is not from Slack
GRANIAN_THREADS = 4  # granian: Python threads per process; acks are quick, a few cover a slow health check
BACKLOG = 1024  # a burst of commands waits in the kernel, not refused
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
            if _content_length(environ) <= MAX_BODY:  # neither server limits bodies itself
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
