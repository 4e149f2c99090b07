"""The client keeps one connection pool: consecutive requests reuse one keep-alive connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.coupontools.client import LoyaltyClient


class _EmptyListHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server: _RecordingServer

    def do_GET(self) -> None:
        self.server.client_ports.append(self.client_address[1])
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the recorded ports instead."""


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EmptyListHandler)
        self.client_ports: list[int] = []


@pytest.fixture
def server() -> Iterator[_RecordingServer]:
    httpd = _RecordingServer()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_consecutive_requests_reuse_one_connection(server: _RecordingServer) -> None:
    with LoyaltyClient(f"http://127.0.0.1:{server.server_address[1]}/v4", "k", "s") as client:
        client.list_cards()
        client.search_members(1)
        client.list_cards()
    assert len(server.client_ports) == 3
    assert len(set(server.client_ports)) == 1
