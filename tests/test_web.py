"""The embedded HTTP server under bursts, and `Traffic.busy`: true while requests are in the app, and just after."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from bot.web import HttpServer, Traffic

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
def served() -> Iterator[tuple[HttpServer, GatedApp, Traffic]]:
    app = GatedApp()
    traffic = Traffic(quiet=QUIET)
    server = HttpServer(traffic.track(app), host="127.0.0.1", port=0).start()
    yield server, app, traffic
    app.release.set()
    server.stop()


QUIET = 0.05


def _connect(server: HttpServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_busy_while_a_request_is_in_the_app_and_for_a_moment_after(served) -> None:
    server, app, traffic = served
    assert not traffic.busy()  # nothing has come yet
    with _connect(server) as sock:
        sock.sendall(REQUEST)
        assert _until(lambda: app.seen == 1)
        time.sleep(QUIET * 2)
        assert traffic.busy()  # still being answered, however long that takes
        app.release.set()
        assert _answer(sock).endswith(b"ok")
    assert _until(lambda: not traffic.busy())


def test_busy_for_the_quiet_time_after_the_last_request_left() -> None:
    def quick(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return [b"ok"]

    traffic = Traffic(quiet=QUIET)
    traffic.track(quick)({}, lambda *_: None)
    left = time.monotonic()
    assert traffic.busy()  # the next request of a burst comes sooner than this
    assert _until(lambda: not traffic.busy())
    assert time.monotonic() - left >= QUIET


def test_busy_counts_every_request_of_a_burst_until_the_last_leaves(served) -> None:
    server, app, traffic = served
    socks = [_connect(server) for _ in range(5)]
    try:
        for sock in socks:
            sock.sendall(REQUEST)
        assert _until(lambda: app.seen == 5)
        assert traffic.busy()
        app.release.set()
        assert all(_answer(sock).endswith(b"ok") for sock in socks)
    finally:
        for sock in socks:
            sock.close()
    assert _until(lambda: not traffic.busy())


def test_an_idle_open_connection_is_not_busy(served) -> None:
    server, _app, traffic = served
    with _connect(server):
        time.sleep(QUIET * 2)
        assert not traffic.busy()


def test_a_request_that_fails_in_the_app_still_leaves_it() -> None:
    def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raise RuntimeError("boom")

    traffic = Traffic(quiet=0)
    with pytest.raises(RuntimeError):
        traffic.track(broken)({}, lambda *_: None)
    assert not traffic.busy()


def test_a_burst_beyond_waitress_default_connection_limit_is_accepted_and_answered(served) -> None:
    """Waitress stops accepting at 100 open connections by default; a burst of Slack requests is more."""
    server, app, _traffic = served
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
