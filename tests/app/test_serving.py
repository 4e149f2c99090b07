"""Serving Slack over real HTTP: signatures, the health check, paths and sizes, and `loyalty-bot serve` itself."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from bot import __version__
from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID, SandboxServer
from bot.store import Store
from bot.store.db import Database, create_store_engine, normalise_url
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver, render_message
from localstack.stack import API_KEY, API_SECRET, BOT_TOKEN, LocalStack
from tests.app.helpers import VIEWER

CARD = DEMO_STAMP_CARD_ID
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _nothing_ran(stack: LocalStack, since: int) -> None:
    """Let every piece of work the bot accepted finish, then check none reached the API or Slack after `since`."""
    stack.services.worker.shutdown(wait=True)
    assert stack.sandbox.requests == []
    assert stack.slack.calls(since=since) == []


# -- signatures ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["missing", "bad", "stale"])
def test_unsigned_wrongly_signed_or_stale_command_gets_401_and_nothing_runs(stack: LocalStack, signature) -> None:
    since = stack.slack.mark()
    ack = stack.driver.command(f"member {CARD} {DEMO_ADA_ID}", user=VIEWER, signature=signature)
    assert ack.status == 401
    assert "Lovelace" not in ack.body
    _nothing_ran(stack, since)


@pytest.mark.parametrize("signature", ["missing", "bad", "stale"])
def test_unsigned_shortcut_and_event_get_401_and_nothing_runs(stack: LocalStack, signature) -> None:
    since = stack.slack.mark()
    assert stack.driver.shortcut(ids.LOOKUP_SHORTCUT, user=VIEWER, signature=signature).status == 401
    assert stack.driver.app_home_opened(user=VIEWER, signature=signature).status == 401
    _nothing_ran(stack, since)


def test_signature_over_a_different_body_is_refused(stack: LocalStack) -> None:
    since = stack.slack.mark()
    signed = stack.driver._sign("command=%2Floyalty&text=help", "valid")
    response = httpx.post(f"{stack.url}/slack/events", content=f"command=%2Floyalty&text=member+{CARD}+1",
                          headers={**signed, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 401
    _nothing_ran(stack, since)


# -- health, paths, sizes --------------------------------------------------------------------------------------------


def test_healthz_answers_200_with_the_version_when_the_database_answers(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "version": __version__}


def test_healthz_answers_503_when_the_database_does_not(stack: LocalStack) -> None:
    closed_port = _free_port()  # nothing listens there
    url = normalise_url(f"postgresql://loyalty:secret@127.0.0.1:{closed_port}/loyalty")
    broken = Store(Database(create_store_engine(url)), url="postgresql://127.0.0.1 (closed)", migrated=False)
    working, stack.services.store = stack.services.store, broken
    try:
        response = httpx.get(f"{stack.url}/healthz")
        deadline = time.monotonic() + 30  # the background probe notices within seconds
        while response.status_code != 503 and time.monotonic() < deadline:
            time.sleep(0.2)
            response = httpx.get(f"{stack.url}/healthz")
        assert response.status_code == 503
        assert response.json()["ok"] is False
        assert "secret" not in response.text
    finally:
        working.close()


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/admin"), ("POST", "/slack/event"),
                                              ("GET", "/slack/events/x"), ("POST", "/healthz/x")])
def test_other_paths_are_404(stack: LocalStack, method: str, path: str) -> None:
    response = httpx.request(method, f"{stack.url}{path}")
    assert response.status_code == 404


def test_get_on_the_events_path_is_not_served(stack: LocalStack) -> None:
    assert httpx.get(f"{stack.url}/slack/events").status_code == 405


def test_a_huge_body_is_refused_before_anything_runs(stack: LocalStack) -> None:
    since = stack.slack.mark()
    body = "command=%2Floyalty&text=" + "x" * (3 * 1024 * 1024)
    ack = stack.driver.send(body, "application/x-www-form-urlencoded")
    assert ack.status == 413
    _nothing_ran(stack, since)


# -- the `loyalty-bot serve` process ---------------------------------------------------------------------------------


def _env(**settings: str) -> dict[str, str]:
    """This environment without any of the bot's own settings, plus `settings`."""
    ours = ("SLACK_", "COUPONTOOLS_", "LOYALTY_", "DATABASE_URL", "LOG_", "PORT")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(ours)}, **settings}


@contextmanager
def _serving(env: dict[str, str], cwd: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`loyalty-bot serve` in its own process, with its URL once /healthz answers; killed if the block leaves it."""
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", *args], env=env, cwd=cwd,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield process, _healthy_url(process, env)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def _stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM, then everything the process wrote, once it has exited."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output


def _healthy_url(process: subprocess.Popen[str], env: dict[str, str]) -> str:
    """The server's URL once /healthz answers 200; kills the process if it does not in time."""
    url = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    output, _ = process.communicate(timeout=10)
    raise AssertionError(f"loyalty-bot serve did not become healthy:\n{output or ''}")


SIGNING_SECRET = "0123456789abcdef0123456789abcdef"


def _serve_env(sandbox: SandboxServer, slack: FakeSlack, tmp_path: Path, **settings: str) -> dict[str, str]:
    return _env(**{"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                   "SLACK_API_URL": slack.api_url, "COUPONTOOLS_API_KEY": API_KEY, "COUPONTOOLS_API_SECRET": API_SECRET,
                   "COUPONTOOLS_BASE_URL": sandbox.base_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
                   "LOYALTY_VIEWERS": VIEWER, "PORT": str(_free_port()), **settings})


def test_serve_starts_answers_logs_json_without_secrets_and_stops_on_sigterm(
        stand_ins: tuple[SandboxServer, FakeSlack], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    signing_secret = SIGNING_SECRET
    env = _serve_env(sandbox, slack, tmp_path, LOG_FORMAT="json")
    with _serving(env, tmp_path) as (process, url):
        health = httpx.get(f"{url}/healthz")
        assert health.json() == {"ok": True, "version": __version__}
        with SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=signing_secret) as driver:
            driver.command(f"member {CARD} ada@example.com", user=VIEWER)
            assert "Ada Lovelace" in render_message(driver.wait_reply(VIEWER, timeout=15))
            driver.command(f"member {CARD} nobody@example.com", user=VIEWER)
            assert "No member" in render_message(driver.wait_reply(VIEWER, timeout=15))
            assert driver.command("help", user=VIEWER, signature="bad").status == 401
            huge = "command=%2Floyalty&text=" + "x" * (3 * 1024 * 1024)
            assert driver.send(huge, "application/x-www-form-urlencoded").status == 413

            sandbox.faults.latency(0.5)  # SIGTERM lands while this command's API calls are still out
            assert driver.command(f"member {CARD} ada@example.com", user=VIEWER).ok
            output = _stop(process)
            assert "Ada Lovelace" in render_message(driver.wait_reply(VIEWER, timeout=1))  # answered before exiting
    assert process.returncode == 0, output

    for secret in (BOT_TOKEN, signing_secret, API_SECRET, "ada@example.com", "nobody@example.com"):
        assert secret not in output, f"{secret!r} is in the logs"
    assert "Traceback" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    assert all({"time", "level", "message"} <= line.keys() for line in lines)
    finished = [line for line in lines if line.get("logger") == "bot.events"]
    assert {line.get("outcome") for line in finished} >= {"ok", "refused"}
    for line in finished:
        assert line.get("request_id")
        assert line.get("user") == VIEWER
        assert line.get("action") == "member"


@contextmanager
def _held_open(port: int, count: int, sent: bytes = b"") -> Iterator[list[socket.socket]]:
    """`count` connections to the server, each having sent `sent` (and nothing more), closed on leaving."""
    connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    try:
        for connection in connections:
            if sent:
                connection.sendall(sent)
        yield connections
    finally:
        for connection in connections:
            connection.close()


SLOW_CLIENTS = 50


def test_clients_that_dribble_their_headers_are_cut_off_and_slack_is_still_served(
        stand_ins: tuple[SandboxServer, FakeSlack], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _serve_env(sandbox, slack, tmp_path)
    with _serving(env, tmp_path) as (process, url):
        with _held_open(int(env["PORT"]), SLOW_CLIENTS, b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n") as slow:
            assert httpx.get(f"{url}/healthz").status_code == 200
            with SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
                assert driver.command("help", user=VIEWER).ok
            slow[0].settimeout(20)  # the server cuts it off after 5 s; granian's own default waits 30 s
            answer = slow[0].recv(1024)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
        _stop(process)
    assert process.returncode == 0


SLOW_BODIES = 16
IDLE_CONNECTIONS = 1000
BODY_HELD_BACK = (b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: 2000\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")


def test_clients_holding_back_bodies_and_a_thousand_idle_connections_do_not_stop_acks(
        stand_ins: tuple[SandboxServer, FakeSlack], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _serve_env(sandbox, slack, tmp_path)
    port = int(env["PORT"])
    with _serving(env, tmp_path) as (process, url):
        with _held_open(port, SLOW_BODIES, BODY_HELD_BACK), _held_open(port, IDLE_CONNECTIONS), \
                SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
            assert driver.command(f"member {CARD} ada@example.com", user=VIEWER).ok
            assert "Ada Lovelace" in render_message(driver.wait_reply(VIEWER, timeout=15))
            assert httpx.get(f"{url}/healthz").status_code == 200
        _stop(process)
    assert process.returncode == 0


def _serving_pids(log: Path, count: int) -> list[int]:
    """The process ids the serving processes announced in `log`, once `count` did (or the wait ran out)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        pids = [int(pid) for pid in re.findall(r"serving process ready \(pid (\d+)\)", log.read_text())]
        if len(pids) >= count or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


COMMANDS_OVER_PROCESSES = 20


def test_serve_with_two_processes_answers_from_each_and_stops_them_all_on_sigterm(
        stand_ins: tuple[SandboxServer, FakeSlack], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _serve_env(sandbox, slack, tmp_path, LOG_FORMAT="json")
    log = tmp_path / "serve.log"
    with log.open("w") as output:  # a file, read while the server runs
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--processes", "2"], env=env, cwd=tmp_path,
                                   stdout=output, stderr=subprocess.STDOUT, text=True)
    pids: list[int] = []
    try:
        url = _healthy_url(process, env)
        pids = _serving_pids(log, 2)
        assert len(set(pids)) == 2, log.read_text()
        assert process.pid not in pids

        with ThreadPoolExecutor(8) as pool:  # several connections at once
            answers = list(pool.map(lambda _: httpx.get(f"{url}/healthz", timeout=10).status_code, range(16)))
        assert answers == [200] * 16

        # Which process accepts a connection is the kernel's choice (hashed per connection): over 20 new
        # connections both are all but certain to answer (all to one: 1 in 2^19), each its own commands.
        for _ in range(COMMANDS_OVER_PROCESSES):
            with SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
                driver.command(f"member {CARD} ada@example.com", user=VIEWER)
                assert "Ada Lovelace" in render_message(driver.wait_reply(VIEWER, timeout=15))
        answered_by = {line["pid"] for line in map(json.loads, log.read_text().splitlines())
                       if line.get("logger") == "bot.events" and line.get("action") == "member"}
        assert answered_by == set(pids), log.read_text()

        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pid in pids:  # only if the parent failed to stop them
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    said = log.read_text()
    assert process.returncode == 0, said
    assert not [pid for pid in pids if _alive(pid)], said
    for pid in pids:  # each serving process finished its accepted work and stopped, none was killed
        assert f"serving process {pid} stopped" in said, said
    assert "Traceback" not in said


def test_serve_refuses_zero_processes(tmp_path: Path) -> None:
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="x" * 32, PORT=str(_free_port()))
    done = subprocess.run([sys.executable, "-m", "bot", "serve", "--processes", "0"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "--processes" in done.stderr


def test_serve_without_a_bot_token_says_which_variable_in_one_line_and_exits_2(tmp_path: Path) -> None:
    env = _env(SLACK_SIGNING_SECRET="x" * 32, PORT=str(_free_port()), LOYALTY_SANDBOX="1")
    done = subprocess.run([sys.executable, "-m", "bot", "serve"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    said = (done.stdout + done.stderr).strip().splitlines()
    assert len(said) == 1, said
    assert "SLACK_BOT_TOKEN" in said[0]
    assert "Traceback" not in done.stderr


def _one_plain_line(done: subprocess.CompletedProcess[str]) -> str:
    """What a refusing `serve` said on stderr: exactly one plain line, no traceback."""
    said = done.stderr.strip().splitlines()
    assert len(said) == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return said[0]


def _refused(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "serve", *args], env=env, cwd=cwd,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_serve_when_slack_does_not_answer_at_start_says_so_in_one_line_and_exits_1(tmp_path: Path) -> None:
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, LOG_FORMAT="json",
               SLACK_API_URL=f"http://127.0.0.1:{_free_port()}/api/", DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
               PORT=str(_free_port()), LOYALTY_SANDBOX="1")
    done = _refused(env, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not starting: Slack: Slack did not answer" in _one_plain_line(done)
    assert all(json.loads(line) for line in done.stdout.splitlines() if line.strip())  # the logs stay JSON
    assert BOT_TOKEN not in done.stdout + done.stderr


def test_serve_refuses_api_credentials_the_api_refuses_in_one_line_and_exits_1(
        stand_ins: tuple[SandboxServer, FakeSlack], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = {**_serve_env(sandbox, slack, tmp_path), "COUPONTOOLS_API_SECRET": "not-the-secret"}
    done = _refused(env, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not starting: loyalty API: the API refused" in _one_plain_line(done)
    assert "not-the-secret" not in done.stdout + done.stderr
    assert sandbox.requests  # it asked the API, over HTTP


def test_serve_without_api_credentials_refuses_to_start_and_lists_every_missing_setting(tmp_path: Path) -> None:
    """Missing credentials never mean demo data: a workspace would be answered about customers who do not exist."""
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, COUPONTOOLS_API_KEY="only-the-key", PORT=str(_free_port()))
    done = _refused(env, tmp_path)
    assert done.returncode == 2
    said = done.stderr.strip().splitlines()
    assert [line.split(" ")[1] for line in said] == ["SLACK_SIGNING_SECRET", "COUPONTOOLS_API_SECRET"], said
    assert "LOYALTY_SANDBOX=1" in said[1]
    assert "only-the-key" not in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(("variable", "value", "other"), [("SLACK_APP_TOKEN", "xoxb-1-2-3", "SLACK_BOT_TOKEN"),
                                                          ("SLACK_BOT_TOKEN", "xapp-1-2-3", "SLACK_APP_TOKEN")])
def test_a_token_of_the_wrong_kind_is_one_line_naming_the_variable(tmp_path: Path, variable: str, value: str,
                                                                   other: str) -> None:
    env = _env(**{other: "xapp-9" if other == "SLACK_APP_TOKEN" else BOT_TOKEN, variable: value},
               COUPONTOOLS_API_KEY=API_KEY, COUPONTOOLS_API_SECRET=API_SECRET, PORT=str(_free_port()))
    done = _refused(env, tmp_path, "--socket-mode")
    assert done.returncode == 2
    line = _one_plain_line(done)
    assert line.startswith(f"loyalty-bot: {variable}: expected"), line
    assert value not in line


@pytest.mark.parametrize("ask", ["LOYALTY_SANDBOX=1", "--sandbox"])
def test_sandbox_mode_answers_from_the_local_sandbox_in_every_process_and_says_so(tmp_path: Path, ask: str) -> None:
    """Asked for explicitly: the one sandbox in the parent serves both processes, and every reply says demo data."""
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.add_user(VIEWER, "vera")
        env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url,
                   DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", LOYALTY_VIEWERS=VIEWER, PORT=str(_free_port()))
        flags = ["--sandbox"] if ask == "--sandbox" else []
        if ask != "--sandbox":
            env["LOYALTY_SANDBOX"] = "1"
        with _serving(env, tmp_path, "--processes", "2", *flags) as (process, url):
            for _ in range(4):  # new connections: the kernel spreads them over the processes
                with SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
                    driver.command(f"member {CARD} {DEMO_ADA_ID}", user=VIEWER)
                    shown = render_message(driver.wait_reply(VIEWER, timeout=15))
                    assert "Ada Lovelace" in shown
                    assert "SANDBOX · demo data" in shown
            output = _stop(process)
    assert process.returncode == 0, output
    assert "sandbox mode: serving the local sandbox's demo data" in output
    assert "Traceback" not in output


def test_serve_at_log_level_warning_writes_no_info_lines_not_even_the_servers(
        stand_ins: tuple[SandboxServer, FakeSlack], tmp_path: Path) -> None:
    sandbox, slack = stand_ins
    env = _serve_env(sandbox, slack, tmp_path, LOG_FORMAT="json", LOG_LEVEL="WARNING")
    with _serving(env, tmp_path) as (process, url):
        assert httpx.get(f"{url}/healthz").status_code == 200
        output = _stop(process)
    assert process.returncode == 0, output
    levels = {json.loads(line)["level"] for line in output.splitlines() if line.strip()}
    assert levels <= {"warning", "error", "critical"}, output
