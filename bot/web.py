"""HTTP serving: Slack at POST /slack/events, a health check at GET /healthz, on a production WSGI server."""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import __version__

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are small; anything this big is not from Slack
HTTP_THREADS = 16  # requests are answered at the ack; slow work runs on the worker pool

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
    """Waitress on a port (0 picks a free one); runs in a thread for tests and the demo, or in the foreground."""

    def __init__(self, wsgi: Callable[..., Iterable[bytes]], *, host: str = "0.0.0.0", port: int = 3000,  # noqa: S104
                 threads: int = HTTP_THREADS) -> None:
        self._server = waitress.create_server(
            wsgi, host=host, port=port, threads=threads, max_request_body_size=MAX_BODY,
            ident="loyalty-bot", clear_untrusted_proxy_headers=True, channel_timeout=30,
        )
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
            server.asyncore.loop(timeout=0.2, map=server._map, count=1)  # type: ignore[union-attr]

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
        stopping.wait()
        self.stop()
        on_stop()
        log.info("stopped")
