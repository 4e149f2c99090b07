"""The bot's WSGI app on a port, in a thread: the local stack, the demo and the tests.

A small stdlib server (wsgiref, a thread per connection). Production never runs this: `loyalty-bot serve`
serves the same WSGI app with granian (`bot.web.serve`).
"""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from bot.web import WsgiApp


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 1024  # a burst of commands waits in the kernel rather than being refused


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per request on stderr: the bot logs its own."""


class HttpServer:
    """The WSGI app served on `host`:`port` (0 picks a free port) from a background thread."""

    def __init__(self, wsgi: WsgiApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _QuietHandler)
        self._server.set_app(wsgi)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.port}"  # noqa: S104

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close the listening socket; requests already accepted finish on their threads."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
