"""The app's Slack client: 429s are waited out; after a dropped connection only what is safe to repeat is repeated."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.slack_client import method_of, slack_client
from localstack.slack import FakeSlack
from localstack.stack import LocalStack
from tests.app.helpers import VIEWER
from tests.sockets import listen

BOT_TOKEN = "xoxb-client-test"


@pytest.fixture
def bench() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=BOT_TOKEN) as bench:
        bench.add_user(VIEWER, "vera")
        yield bench


class Dropper:
    """A server that reads each request whole, then resets the connection without answering."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self._listener = listen(self._drop)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/"

    def _drop(self, connection: socket.socket) -> None:
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                head += chunk
            self.requests.append(head.split(b"\r\n", 1)[0])
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def dropper() -> Iterator[Dropper]:
    server = Dropper()
    yield server
    server.close()


def test_a_rate_limited_call_waits_for_retry_after_and_succeeds(bench: FakeSlack) -> None:
    client = slack_client(BOT_TOKEN, bench.api_url)
    bench.fail("chat.postMessage", times=2, status=429, retry_after=0)
    assert client.chat_postMessage(channel="C0GENERAL", text="hi")["ok"]
    assert [c.status for c in bench.calls("chat.postMessage")] == [429, 429, 200]
    assert [m.text for m in bench.messages("C0GENERAL")] == ["hi"]


def test_the_app_publishes_the_home_tab_after_slack_answered_429(tmp_path) -> None:
    with LocalStack(workdir=tmp_path) as stack:
        stack.slack.fail("views.publish", times=1, status=429, retry_after=1)
        assert stack.driver.app_home_opened(user=VIEWER).ok
        stack.services.worker.shutdown(wait=True)
        # the retry, then the Home again with the cards' figures once counted
        assert [c.status for c in stack.slack.calls("views.publish")] == [429, 200, 200]
        assert stack.slack.home(VIEWER) is not None


def test_a_post_whose_connection_dropped_after_sending_is_not_repeated(dropper: Dropper) -> None:
    client = slack_client(BOT_TOKEN, dropper.url)
    with pytest.raises((ConnectionResetError, ConnectionError, OSError)):
        client.chat_postMessage(channel="C0GENERAL", text="once")
    assert len(dropper.requests) == 1


def test_a_read_whose_connection_dropped_is_repeated_once(dropper: Dropper) -> None:
    client = slack_client(BOT_TOKEN, dropper.url)
    with pytest.raises((ConnectionResetError, ConnectionError, OSError)):
        client.users_info(user=VIEWER)
    assert len(dropper.requests) == 2


def test_slack_sdks_default_would_have_repeated_the_post(dropper: Dropper) -> None:
    """The behaviour the app's client exists to avoid: a message posted twice after a reset."""
    with pytest.raises((ConnectionResetError, ConnectionError, OSError)):
        WebClient(token=BOT_TOKEN, base_url=dropper.url).chat_postMessage(channel="C0GENERAL", text="twice?")
    assert len(dropper.requests) == 2


@pytest.mark.parametrize(("url", "method"), [
    ("https://slack.com/api/chat.postMessage", "chat.postMessage"),
    ("http://127.0.0.1:1/api/users.info?user=U1", "users.info"),
    ("http://127.0.0.1:1/api/views.update/", "views.update"),
])
def test_method_of_names_the_web_api_method(url: str, method: str) -> None:
    assert method_of(url) == method


def test_only_a_refused_connection_or_an_unknown_host_counts_as_never_sent() -> None:
    from urllib.error import URLError

    from bot.slack_client import never_sent

    assert never_sent(URLError(ConnectionRefusedError()))
    assert never_sent(URLError(socket.gaierror()))
    assert not never_sent(URLError(ConnectionResetError()))  # may come after Slack read the whole request
    assert not never_sent(URLError("timed out"))
    assert not never_sent(None)
