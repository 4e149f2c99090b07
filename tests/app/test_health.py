"""A database that stops answering: /healthz says so at once, and commands are still acknowledged."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.health import HealthProbe
from localstack.stack import LocalStack
from tests.app.helpers import VIEWER
from tests.sockets import listen
from tests.store import conftest as store_fixtures

make_pg_url = store_fixtures.make_pg_url  # a fresh PostgreSQL schema per test; skips without the server
WAIT = 30.0  # seconds the probe may take to notice (it probes every 2 s)


class Freezer:
    """A TCP relay to PostgreSQL that can stop answering: bytes still accepted, nothing ever returned."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self.frozen = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = listen(self._relay)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def _relay(self, client: socket.socket) -> None:
        self._sockets.append(client)
        if self.frozen.is_set():
            return  # accepted, never answered
        server = socket.create_connection(self._upstream)
        self._sockets.append(server)
        threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
        threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.frozen.is_set():
                    target.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self._listener.close()
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def freezer() -> Iterator[Freezer]:
    url = make_url(store_fixtures.POSTGRES_URL)
    relay = Freezer((url.host or "127.0.0.1", url.port or 5432))
    yield relay
    relay.close()


def _status_soon(url: str, status: int) -> httpx.Response:
    """GET `url` until it answers `status` (each GET must answer within httpx's default 5 s), or WAIT passes."""
    deadline = time.monotonic() + WAIT
    while True:
        response = httpx.get(url)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


@pytest.mark.postgres
def test_when_postgresql_stops_answering_healthz_says_503_and_commands_are_still_acknowledged(
        freezer: Freezer, make_pg_url: Callable[[], str], tmp_path: Path) -> None:
    url = make_url(make_pg_url()).set(host="127.0.0.1", port=freezer.port).render_as_string(hide_password=False)
    with LocalStack(workdir=tmp_path, database_url=url) as stack:
        assert httpx.get(f"{stack.url}/healthz").status_code == 200
        freezer.frozen.set()

        response = _status_soon(f"{stack.url}/healthz", 503)
        assert response.status_code == 503
        assert response.json()["ok"] is False

        for _ in range(3):  # more than one replay check hangs on the database now
            ack = stack.driver.command("help", user=VIEWER)
            assert ack.ok
            assert "/loyalty" in ack.body
        assert httpx.get(f"{stack.url}/healthz").status_code == 503


def test_a_probe_that_hangs_turns_unhealthy_without_the_reader_waiting() -> None:
    now = [0.0]
    release = threading.Event()
    answers = iter([True])

    def check() -> bool:
        if next(answers, None) is None:
            release.wait()
        return True

    probe = HealthProbe(check, every=0.01, fresh_for=5, clock=lambda: now[0]).start()
    try:
        assert probe.healthy()
        now[0] = 6.0  # the second probe hangs: no success for longer than fresh_for
        assert not probe.healthy()
    finally:
        probe.stop()
        release.set()


def test_a_failing_check_is_unhealthy_at_the_next_probe() -> None:
    answers = iter([True, False])
    probe = HealthProbe(lambda: next(answers, False), every=0.01)
    probe.start()
    try:
        deadline = time.monotonic() + WAIT
        while probe.healthy() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not probe.healthy()
    finally:
        probe.stop()


def test_a_check_that_raises_is_unhealthy() -> None:
    def check() -> bool:
        raise RuntimeError("no database")

    probe = HealthProbe(check).start()
    try:
        assert not probe.healthy()
    finally:
        probe.stop()
