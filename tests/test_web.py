"""The stdlib server the local stack and the tests serve the bot with: bursts, and bodies the app refuses unread."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import pytest

from localstack.web import HttpServer

REQUEST = b"GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


def _answer(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


class RecordingApp:
    """A WSGI app that reads at most `reads` bytes of the body and answers 413 to bodies it did not read whole."""

    def __init__(self, reads: int) -> None:
        self.reads = reads
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, self.reads))
        self.bodies.append(body)
        whole = len(body) == length
        start_response("200 OK" if whole else "413 Request Entity Too Large", [("Content-Length", "2")])
        return [b"ok"]


@pytest.fixture
def app() -> RecordingApp:
    return RecordingApp(reads=1024)


@pytest.fixture
def server(app: RecordingApp) -> Iterator[HttpServer]:
    server = HttpServer(app).start()
    yield server
    server.stop()


def test_a_request_is_answered_while_a_burst_of_other_connections_is_open(server: HttpServer) -> None:
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(150)]
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(REQUEST)
            assert _answer(sock).endswith(b"ok")  # not queued behind the 150 that have sent nothing yet
        for sock in idle:
            sock.sendall(REQUEST)
        assert all(_answer(sock).endswith(b"ok") for sock in idle)
    finally:
        for sock in idle:
            sock.close()


def test_the_answer_to_a_body_the_app_did_not_read_reaches_the_client(server: HttpServer, app: RecordingApp) -> None:
    for _ in range(3):
        response = httpx.post(f"{server.url}/x", content=b"x" * (3 * 1024 * 1024), timeout=10)
        assert (response.status_code, response.content) == (413, b"ok")
    assert [len(body) for body in app.bodies] == [1024] * 3
