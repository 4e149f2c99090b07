"""A scripted fake of the loyalty API behind httpx.MockTransport, and a client wired to it."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.coupontools.client import LoyaltyClient

BASE_URL = "http://127.0.0.1:9/v4"
API_KEY = "key-4d1f7c"
API_SECRET = "secret-9b2e51a7f0c3"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]

MEMBER: dict[str, Any] = {
    "id": 2, "code": "wvjeykseaswlquco6uta8", "first_name": "John", "last_name": "Doe",
    "email": "John@Doe.com", "phone": "+0123456789", "custom_1": "custom value 1", "stamps": 6,
    "download_url": "https://loyalty.coupontools.com/6epyy9/wvjeykseaswlquco6uta8",
    "created_at": "2024-02-12 12:31:06", "voided_at": None, "expired_at": "2024-02-19 22:59:59",
    "rewards": [
        {"id": 7, "name": "rewardA", "added_at": "2024-02-14 12:20:00", "expired_at": "2024-02-21 23:59:59"},
        {"id": 12, "name": "rewardB", "added_at": "2024-02-14 12:20:00", "used_at": "2024-03-06 14:45:08"},
    ],
}
CARD: dict[str, Any] = {
    "id": 123456, "code": "ndoh57", "name": "My membership card",
    "domain": "loyalty.coupontools.com", "type": "membership",
}


class FakeApi:
    """Answers requests from a queue of scripted replies (a response, an exception to raise, or a function)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._replies: deque[Reply] = deque()
        self.default: Reply = httpx.Response(500, text="no reply scripted")

    def reply(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self._replies.popleft() if self._replies else self.default
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        """The JSON body of a recorded request, or None when it had none."""
        content = self.requests[index].content
        return json.loads(content) if content else None


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the client asked for, instead of sleeping."""
    return []


@pytest.fixture
def client(api: FakeApi, sleeps: list[float]) -> Iterator[LoyaltyClient]:
    with LoyaltyClient(
        BASE_URL, API_KEY, API_SECRET, transport=httpx.MockTransport(api.handle), sleep=sleeps.append
    ) as loyalty:
        yield loyalty


def error_envelope(code: int, message: str) -> dict[str, Any]:
    """The vendor's nested error envelope."""
    return {"status": {"status": "failed", "errors": {"error_code": code, "error_message": message}}}


def variant_envelope(codes: list[int], message: str, descriptions: list[str]) -> dict[str, Any]:
    """The vendor's variant envelope: `errors` beside `status`, with lists."""
    return {
        "status": "failed",
        "errors": {"error_message": message, "error_message_description": descriptions, "error_code": codes},
    }
