"""HTTP serving: Slack at POST /slack/events, a health check at GET /healthz, on a production WSGI server."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, NoReturn

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.channel import HTTPChannel

from bot import __version__

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are small; anything this big is not from Slack
HTTP_THREADS = 16  # requests are answered at the ack; slow work runs on the worker pool
BACKLOG = 1024  # waitress's own default: a burst of commands waits in the kernel, not refused
CONNECTION_LIMIT = 1000  # waitress's default of 100 left the rest of a burst of 200 commands unaccepted meanwhile
ACCEPT_BATCH = 256  # connections accepted per wake-up of the server's loop (waitress takes one)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
SIGNAL_POLL = 0.2  # seconds: how late a signal handler may run (see `wait_for`)

StartResponse = Callable[..., Any]


def make_wsgi_app(app: App, healthy: Callable[[], bool]) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Route the two paths the product promises; everything else is 404."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

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
            return slack(environ, start_response)
        if path == EVENTS_PATH:
            status, body = "405 Method Not Allowed", b"Use POST"
        else:
            status, body = "404 Not Found", b"Not Found"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


class HttpServer:
    """Waitress on a port (0 picks a free one); runs in a thread for tests and the demo, or in the foreground.

    Given `sock` (from `listen`), it serves that already-listening socket instead, as each process of
    `serve_in_processes` does with the one it inherited.
    """

    def __init__(self, wsgi: Callable[..., Iterable[bytes]], *, host: str = "0.0.0.0", port: int = 3000,  # noqa: S104
                 sock: socket.socket | None = None, threads: int = HTTP_THREADS) -> None:
        where: dict[str, Any] = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self._server = waitress.create_server(
            wsgi, **where, threads=threads, backlog=BACKLOG, max_request_body_size=MAX_BODY,
            connection_limit=CONNECTION_LIMIT, asyncore_use_poll=True,  # poll(): no select() limit of 1024 fds
            ident="loyalty-bot", clear_untrusted_proxy_headers=True, channel_timeout=30,
        )
        _accept_in_batches(self._server)
        # Waitress warns "Task queue depth is N" for each request of a burst: expected here (acks are quick),
        # and formatting one log line per request is CPU the burst's own acks are waiting for.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def busy(self) -> bool:
        """Whether a request is waiting for its answer: being read, queued for a thread, or being answered.

        The worker pool holds new slow work back while this is true (`Worker.hold_while`), so that a burst
        of commands is acknowledged before their API calls compete with the acks for the interpreter.
        """
        dispatcher = self._server.task_dispatcher  # type: ignore[union-attr]
        if dispatcher.queue or dispatcher.active_count:
            return True
        return any(channel.request is not None or channel.requests  # a request still arriving, or unanswered
                   for channel in list(self._server._map.values())  # type: ignore[union-attr]
                   if isinstance(channel, HTTPChannel))

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

    def serve_until_signalled(self, on_stop: Callable[[], None] = lambda: None) -> None:
        """Serve in the foreground until SIGTERM or SIGINT, then stop accepting and let work finish."""
        stopping = threading.Event()

        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s: shutting down", signal.Signals(signum).name)
            stopping.set()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
        self.start()
        wait_for(stopping)
        self.stop()
        on_stop()
        log.info("stopped")


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


# -- several serving processes on one port ---------------------------------------------------------------------------


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket for `serve_in_processes`: bound once, accepted from by every child."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def serve_in_processes(count: int, child: Callable[[int], int]) -> int:
    """Fork `count` processes, each running `child(index)` (1-based) and exiting with its code; wait for all.

    Call it before anything starts threads or opens connections that a child would use: each child must
    build its own clients, pools and database engine after the fork. The parent serves nothing: on SIGTERM
    or SIGINT it sends SIGTERM to every child (each stops accepting and finishes its accepted work) and
    returns once all have exited: 0, or the first non-zero code a child exited with. It restarts nothing: a
    child that ends on its own (a crash, a failed start) makes the parent stop the others and return
    non-zero, so that the platform restarts the whole server rather than it serving on at reduced capacity.
    """
    children: dict[int, int] = {}  # pid -> index
    stopping = False
    code = 0

    def stop_all() -> None:
        nonlocal stopping
        stopping = True
        for pid in children:  # only reaped children leave the dict, so every pid is still ours
            os.kill(pid, signal.SIGTERM)

    def handle(signum: int, _frame: FrameType | None) -> None:
        if not stopping:
            log.info("received %s: stopping %d serving processes", signal.Signals(signum).name, len(children))
        stop_all()

    # A signal that arrives while the children are being forked waits for the parent's handler, and each
    # child starts with the default action (end at once: it has accepted nothing yet) until it installs its own.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        for index in range(1, count + 1):
            pid = os.fork()
            if pid == 0:
                _run_child(child, index)
            children[pid] = index
        for signum in STOP_SIGNALS:
            signal.signal(signum, handle)
    except BaseException:
        stop_all()
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)  # not a blocking wait: see `wait_for`
        index = children.pop(pid, None)
        if index is None:
            time.sleep(SIGNAL_POLL)
            continue
        exit_code = os.waitstatus_to_exitcode(status)
        if not stopping:
            log.error("serving process %d (pid %d) ended by itself (exit code %d): stopping the others",
                      index, pid, exit_code)
            code = code or (exit_code if exit_code > 0 else 1)
            stop_all()
        elif exit_code > 0:  # a child ended by our SIGTERM before it could install its handler is fine
            code = code or exit_code
    return code


def _run_child(child: Callable[[int], int], index: int) -> NoReturn:
    """The forked child's whole life: never returns into the parent's code, whatever happens."""
    code = 1
    try:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        code = child(index)
    except BaseException:
        log.exception("serving process %d failed", index)
    finally:
        # os._exit skips the interpreter's shutdown, which would also flush the log lines still buffered.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
