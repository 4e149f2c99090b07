"""Running the sandbox: state file, concurrency, and the foreground `serve`."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.process
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bot.sandbox import DEMO_ADA_ID, DEMO_GRACE_ID, DEMO_STAMP_CARD_ID, SandboxServer, serve
from tests.sandbox.conftest import STAMP_CARD

HEADERS = {"x-api-key": "k", "x-api-secret": "s"}


def test_state_file_round_trips_changes_across_restarts(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    with SandboxServer(api_key="k", api_secret="s", state_file=state_file) as server:
        httpx.post(f"{server.base_url}{STAMP_CARD}/stats/{DEMO_GRACE_ID}/stamps", json={"amount": 1},
                   headers=HEADERS).raise_for_status()
        httpx.delete(f"{server.base_url}{STAMP_CARD}/stats/{DEMO_ADA_ID}", headers=HEADERS).raise_for_status()
        created = httpx.post(f"{server.base_url}{STAMP_CARD}/stats", json={"first_name": "Persisted"},
                             headers=HEADERS).json()
    assert json.loads(state_file.read_text(encoding="utf-8"))["version"] == 1

    with SandboxServer(api_key="k", api_secret="s", state_file=state_file) as server:
        grace = httpx.get(f"{server.base_url}{STAMP_CARD}/stats/{DEMO_GRACE_ID}", headers=HEADERS).json()
        ada = httpx.get(f"{server.base_url}{STAMP_CARD}/stats/{DEMO_ADA_ID}", headers=HEADERS)
        again = httpx.get(f"{server.base_url}{STAMP_CARD}/stats/{created['id']}", headers=HEADERS).json()
        another = httpx.post(f"{server.base_url}{STAMP_CARD}/stats", json={}, headers=HEADERS).json()

    assert grace["stamps"] == 10
    assert len(grace["rewards"]) == 1
    assert ada.status_code == 404
    assert again["first_name"] == "Persisted"
    assert another["id"] != created["id"]


def test_fifty_concurrent_slow_requests_all_complete(sandbox: SandboxServer) -> None:
    sandbox.faults.latency(0.5)
    headers = {"x-api-key": "test-key", "x-api-secret": "test-secret"}
    limits = httpx.Limits(max_connections=50)
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30, limits=limits) as client:

        def member_list(page: int) -> int:
            body = {"pagination": {"page": page % 5 + 1, "limit": 20}}
            return client.request("GET", f"/loyalty/loyalty-cards/{DEMO_STAMP_CARD_ID}/stats", json=body).status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(member_list, range(50)))

    assert statuses == [200] * 50
    assert len(sandbox.requests) == 50


def _serve_printing_to(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        serve("127.0.0.1", 0, "printed-key", "hidden-secret")


def _first_line(path: Path, process: multiprocessing.process.BaseProcess) -> str:
    while process.is_alive():
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text.endswith("\n"):
            return text.splitlines()[0]
        time.sleep(0.05)
    raise AssertionError("serve exited before printing where it listens")


def test_serve_prints_where_it_listens_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    output = tmp_path / "serve.out"
    process = multiprocessing.get_context("spawn").Process(target=_serve_printing_to, args=(output,))
    process.start()
    try:
        line = _first_line(output, process)
        base_url = line.split("listening on ")[1].split()[0]
        response = httpx.get(f"{base_url}/loyalty/loyalty-cards",
                             headers={"x-api-key": "printed-key", "x-api-secret": "hidden-secret"})
        process.terminate()  # SIGTERM
        process.join(timeout=10)
    finally:
        if process.is_alive():
            process.kill()

    assert process.exitcode == 0
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/v4")
    assert "printed-key" in line
    assert "hidden-secret" not in line
    assert response.status_code == 200
