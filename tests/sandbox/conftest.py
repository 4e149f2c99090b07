"""A sandbox on 127.0.0.1 per test, and a raw httpx client that speaks to it with the right credentials."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.sandbox import DEMO_MEMBERSHIP_CARD_ID, DEMO_STAMP_CARD_ID, SandboxServer

API_KEY = "test-key"
API_SECRET = "test-secret"
STAMP_CARD = f"/loyalty/loyalty-cards/{DEMO_STAMP_CARD_ID}"
MEMBERSHIP_CARD = f"/loyalty/loyalty-cards/{DEMO_MEMBERSHIP_CARD_ID}"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=API_KEY, api_secret=API_SECRET, seed=1) as server:
        yield server


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    headers = {"x-api-key": API_KEY, "x-api-secret": API_SECRET}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as client:
        yield client


def nested_error(response: httpx.Response) -> dict:
    """The `{"status": {"status": "failed", "errors": {...}}}` envelope's errors."""
    body = response.json()
    assert body["status"]["status"] == "failed"
    return body["status"]["errors"]


def listed_error(response: httpx.Response) -> dict:
    """The variant envelope's errors: `{"status": "failed", "errors": {... lists ...}}`."""
    body = response.json()
    assert body["status"] == "failed"
    errors = body["errors"]
    assert isinstance(errors["error_code"], list)
    assert isinstance(errors["error_message_description"], list)
    return errors


def list_members(api: httpx.Client, card: str = STAMP_CARD, **body: object) -> httpx.Response:
    """The member list: a GET that carries a JSON body."""
    return api.request("GET", f"{card}/stats", json=body or None)
