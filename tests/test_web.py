"""The HTTP server under bursts: every connection accepted, and `busy()` true exactly while a request waits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from bot.web import HttpServer

REQUEST = b"GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def _answer(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


class GatedApp:
    """A WSGI app that answers only once `release` is set, recording how many requests it has seen."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.seen = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.seen += 1
        self.release.wait(timeout=10)
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]


@pytest.fixture
def served() -> Iterator[tuple[HttpServer, GatedApp]]:
    app = GatedApp()
    server = HttpServer(app, host="127.0.0.1", port=0).start()
    yield server, app
    app.release.set()
    server.stop()


def _connect(server: HttpServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_busy_while_a_request_waits_for_its_answer_and_not_after(served) -> None:
    server, app = served
    assert _until(lambda: not server.busy())  # its threads are starting
    with _connect(server) as sock:
        sock.sendall(REQUEST)
        assert _until(lambda: app.seen == 1)
        assert server.busy()
        app.release.set()
        assert _answer(sock).endswith(b"ok")
    assert _until(lambda: not server.busy())


def test_busy_while_a_request_is_still_arriving(served) -> None:
    server, app = served
    app.release.set()
    with _connect(server) as sock:
        head = b"POST /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 10\r\n\r\n"
        sock.sendall(head + b"abc")  # 7 bytes of the body still to come
        assert _until(server.busy)
        time.sleep(0.05)
        assert server.busy()
        assert app.seen == 0
        sock.sendall(b"defghij")
        assert _answer(sock).endswith(b"ok")
    assert _until(lambda: not server.busy())


def test_an_idle_open_connection_is_not_busy(served) -> None:
    server, _app = served
    with _connect(server):
        time.sleep(0.05)
        assert not server.busy()


def test_a_burst_beyond_waitress_default_connection_limit_is_accepted_and_answered(served) -> None:
    """Waitress stops accepting at 100 open connections by default; a burst of Slack requests is more."""
    server, app = served
    app.release.set()
    idle = [_connect(server) for _ in range(150)]  # open, nothing sent yet
    try:
        with _connect(server) as sock:
            sock.settimeout(3)
            sock.sendall(REQUEST)
            assert _answer(sock).endswith(b"ok")  # accepted and answered although 150 others are open
        for sock in idle:
            sock.sendall(REQUEST)
        assert all(_answer(sock).endswith(b"ok") for sock in idle)
    finally:
        for sock in idle:
            sock.close()
