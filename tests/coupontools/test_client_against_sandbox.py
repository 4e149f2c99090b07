"""The client against the local sandbox over real HTTP on 127.0.0.1: every endpoint and its errors."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.coupontools import (
    ApiUnavailable,
    BadCredentials,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
)
from bot.coupontools.client import LoyaltyClient
from bot.sandbox import (
    DEMO_ADA_AVAILABLE_REWARD_ID,
    DEMO_ADA_EXPIRED_REWARD_ID,
    DEMO_ADA_ID,
    DEMO_ALAN_ID,
    DEMO_GRACE_ID,
    DEMO_KATHERINE_ID,
    DEMO_MEMBERSHIP_CARD_ID,
    DEMO_STAMP_CARD_ID,
    STAMPS_PER_REWARD,
    SandboxServer,
)

KEY, SECRET = "it-key", "it-secret-3f9a"
STAMP, MEMBERSHIP = DEMO_STAMP_CARD_ID, DEMO_MEMBERSHIP_CARD_ID
UNKNOWN_CARD, UNKNOWN_MEMBER = 999_999, 999_999
Call = Callable[[LoyaltyClient], Any]


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY, api_secret=SECRET, port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(running_sandbox: SandboxServer) -> SandboxServer:
    """The module's sandbox with fresh demo data, no faults and no recorded requests."""
    running_sandbox.reset()
    return running_sandbox


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sandbox: SandboxServer, sleeps: list[float]) -> Iterator[LoyaltyClient]:
    with LoyaltyClient(sandbox.base_url, KEY, SECRET, sleep=sleeps.append) as loyalty:
        yield loyalty


def active_members(sandbox: SandboxServer, card_id: int) -> int:
    return sum(1 for m in sandbox.state.members.values() if m["card_id"] == card_id and m["voided_at"] is None)


# -- every endpoint --------------------------------------------------------------------------------


def test_lists_the_demo_cards(client: LoyaltyClient) -> None:
    cards = {card.id: card for card in client.list_cards()}
    assert cards[STAMP].type == "stamp"
    assert cards[MEMBERSHIP].type == "membership"


def test_copies_a_card_under_a_new_name(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    copy = client.copy_card(STAMP, "Summer club")
    assert copy.name == "Summer club"
    assert sandbox.state.cards[copy.id]["type"] == "stamp"


def test_searches_members_by_keyword(client: LoyaltyClient) -> None:
    [ada] = client.search_members(STAMP, "ada@example.com", strict=True)
    assert ada.id == DEMO_ADA_ID


def test_voided_members_are_found_only_when_asked(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    keyword = sandbox.state.members[DEMO_ALAN_ID]["email"]
    assert client.search_members(STAMP, keyword, strict=True) == []
    [alan] = client.search_members(STAMP, keyword, strict=True, include_voided=True)
    assert alan.is_voided


def test_pages_through_every_member_of_a_card(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    ids = [member.id for member in client.iter_members(STAMP, page_size=50)]
    assert len(ids) == len(set(ids)) == active_members(sandbox, STAMP)
    assert len(sandbox.find_requests("GET", "/stats")) == len(ids) // 50 + 1


def test_counts_members(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    assert client.count_members(MEMBERSHIP) == active_members(sandbox, MEMBERSHIP)
    assert client.count_members(STAMP, include_voided=True) == sum(
        1 for m in sandbox.state.members.values() if m["card_id"] == STAMP)


def test_gets_a_member_with_rewards(client: LoyaltyClient) -> None:
    ada = client.get_member(STAMP, DEMO_ADA_ID)
    assert ada.full_name == "Ada Lovelace"
    assert [reward.id for reward in ada.available_rewards()] == [DEMO_ADA_AVAILABLE_REWARD_ID]
    assert [reward.id for reward in ada.expired_rewards()] == [DEMO_ADA_EXPIRED_REWARD_ID]


def test_creates_a_member(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    member = client.create_member(MEMBERSHIP, {"first_name": "Rosalind", "email": "rosalind@example.org"})
    assert sandbox.state.members[member.id]["email"] == "rosalind@example.org"


def test_bulk_creates_a_chunk_of_members(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    rows = [{"first_name": f"Guest {n}", "email": f"guest{n}@example.org"} for n in range(100)]
    created = client.create_chunk(STAMP, rows)
    assert [sandbox.state.members[m.id]["email"] for m in created] == [row["email"] for row in rows]


def test_a_bulk_chunk_with_a_bad_row_is_refused_whole(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    before = len(sandbox.state.members)
    with pytest.raises(InvalidInput) as caught:
        client.create_chunk(STAMP, [{"first_name": "A"}, {"email": "not an email"}])
    assert caught.value.field == "email"
    assert len(sandbox.state.members) == before


def test_updates_only_the_given_fields(client: LoyaltyClient) -> None:
    member = client.update_member(MEMBERSHIP, DEMO_KATHERINE_ID, {"city": "Ghent"})
    assert member.city == "Ghent"
    assert member.first_name == "Katherine"


def test_a_stamp_that_completes_the_card_earns_a_reward(client: LoyaltyClient) -> None:
    before = client.get_member(STAMP, DEMO_GRACE_ID)
    after = client.add_stamps(STAMP, DEMO_GRACE_ID, 1)
    assert after.stamps == before.stamps + 1 == STAMPS_PER_REWARD
    assert len(after.available_rewards()) == len(before.available_rewards()) + 1


def test_uses_an_available_reward(client: LoyaltyClient) -> None:
    ada = client.use_rewards(STAMP, DEMO_ADA_ID, [DEMO_ADA_AVAILABLE_REWARD_ID])
    assert ada.available_rewards() == []


def test_voids_a_member(client: LoyaltyClient) -> None:
    assert client.void_member(STAMP, DEMO_GRACE_ID).is_voided


def test_deletes_a_member(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    client.delete_member(STAMP, DEMO_GRACE_ID)
    assert DEMO_GRACE_ID not in sandbox.state.members
    with pytest.raises(NotFound):
        client.get_member(STAMP, DEMO_GRACE_ID)


def test_pushes_to_everyone_and_to_some(client: LoyaltyClient, sandbox: SandboxServer) -> None:
    assert client.push(STAMP, "Double stamps today").total_recipients == active_members(sandbox, STAMP)
    assert client.push(STAMP, "Hi Ada", [DEMO_ADA_ID]).total_recipients == 1
    assert [push["recipient_ids"] for push in sandbox.state.pushes] == [None, [DEMO_ADA_ID]]


# -- error cases -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.list_cards(), id="list cards"),
        pytest.param(lambda c: c.search_members(STAMP), id="search"),
        pytest.param(lambda c: c.add_stamps(STAMP, DEMO_ADA_ID, 1), id="stamp"),
        pytest.param(lambda c: c.push(STAMP, "Hi"), id="push"),
    ],
)
def test_bad_credentials_are_refused_without_leaking_the_secret(sandbox: SandboxServer, call: Call) -> None:
    wrong_secret = "wrong-secret-7c1d"
    with LoyaltyClient(sandbox.base_url, KEY, wrong_secret) as client, \
            pytest.raises(BadCredentials) as caught:
        call(client)
    assert caught.value.status == 401
    assert wrong_secret not in str(caught.value)
    assert len(sandbox.requests) == 1
    assert sandbox.state.pushes == []


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.copy_card(UNKNOWN_CARD), id="copy"),
        pytest.param(lambda c: c.search_members(UNKNOWN_CARD), id="search"),
        pytest.param(lambda c: c.get_member(UNKNOWN_CARD, DEMO_ADA_ID), id="get"),
        pytest.param(lambda c: c.create_member(UNKNOWN_CARD, {"first_name": "A"}), id="create"),
        pytest.param(lambda c: c.update_member(UNKNOWN_CARD, DEMO_ADA_ID, {"first_name": "A"}), id="update"),
        pytest.param(lambda c: c.add_stamps(UNKNOWN_CARD, DEMO_ADA_ID, 1), id="stamp"),
        pytest.param(lambda c: c.use_rewards(UNKNOWN_CARD, DEMO_ADA_ID, [1]), id="redeem"),
        pytest.param(lambda c: c.void_member(UNKNOWN_CARD, DEMO_ADA_ID), id="void"),
        pytest.param(lambda c: c.delete_member(UNKNOWN_CARD, DEMO_ADA_ID), id="delete"),
        pytest.param(lambda c: c.push(UNKNOWN_CARD, "Hi"), id="push"),
    ],
)
def test_an_unknown_card_is_not_found(client: LoyaltyClient, call: Call) -> None:
    with pytest.raises(NotFound) as caught:
        call(client)
    assert caught.value.status == 404


def test_a_bulk_chunk_for_an_unknown_card_is_not_found(client: LoyaltyClient) -> None:
    with pytest.raises(NotFound):
        client.create_chunk(UNKNOWN_CARD, [{"first_name": "A"}] * 2)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.get_member(STAMP, UNKNOWN_MEMBER), id="get"),
        pytest.param(lambda c: c.get_member(MEMBERSHIP, DEMO_ADA_ID), id="member of another card"),
        pytest.param(lambda c: c.update_member(STAMP, UNKNOWN_MEMBER, {"city": "Ghent"}), id="update"),
        pytest.param(lambda c: c.add_stamps(STAMP, UNKNOWN_MEMBER, 1), id="stamp"),
        pytest.param(lambda c: c.use_rewards(STAMP, UNKNOWN_MEMBER, [1]), id="redeem"),
        pytest.param(lambda c: c.void_member(STAMP, UNKNOWN_MEMBER), id="void"),
        pytest.param(lambda c: c.delete_member(STAMP, UNKNOWN_MEMBER), id="delete"),
    ],
)
def test_an_unknown_member_is_not_found(client: LoyaltyClient, call: Call) -> None:
    with pytest.raises(NotFound):
        call(client)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(lambda c: c.create_member(STAMP, {"email": "not an email"}), "email", id="bad email"),
        pytest.param(lambda c: c.update_member(STAMP, DEMO_ADA_ID, {"phone": "call me"}), "phone",
                     id="bad phone"),
        pytest.param(lambda c: c.add_stamps(STAMP, DEMO_ADA_ID, 5000), "amount", id="too many stamps"),
        pytest.param(lambda c: c.add_stamps(MEMBERSHIP, DEMO_KATHERINE_ID, 1), "amount",
                     id="stamps on a membership card"),
        pytest.param(lambda c: c.add_stamps(STAMP, DEMO_ALAN_ID, 1), "amount", id="stamps on a voided card"),
        pytest.param(lambda c: c.use_rewards(STAMP, DEMO_ADA_ID, [DEMO_ADA_EXPIRED_REWARD_ID]), "reward_ids",
                     id="expired reward"),
        pytest.param(lambda c: c.push(STAMP, "Hi", [UNKNOWN_MEMBER]), "recipient_stat_ids",
                     id="unknown recipient"),
        pytest.param(lambda c: c.push(STAMP, "x" * 5000), "message", id="message too long"),
        pytest.param(lambda c: c.search_members(STAMP, limit=100_000), "limit", id="page too large"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(client: LoyaltyClient, call: Call, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        call(client)
    assert caught.value.status == 422
    assert caught.value.field == field


# -- faults over real sockets ----------------------------------------------------------------------


def test_a_read_is_retried_after_a_503(client: LoyaltyClient, sandbox: SandboxServer, sleeps: list[float]) -> None:
    sandbox.faults.fail(503, times=1, path="/stats")
    assert client.get_member(STAMP, DEMO_ADA_ID).id == DEMO_ADA_ID
    assert len(sandbox.requests) == 2
    assert len(sleeps) == 1


def test_a_429_retry_after_is_honoured_on_a_change(
    client: LoyaltyClient, sandbox: SandboxServer, sleeps: list[float]
) -> None:
    sandbox.faults.fail(429, times=1, path="/stamps", headers={"Retry-After": "1"})
    before = sandbox.state.members[DEMO_ADA_ID]["stamps"]
    assert client.add_stamps(STAMP, DEMO_ADA_ID, 1).stamps == before + 1
    assert sleeps == [1.0]


def test_an_html_gateway_error_on_a_read_ends_as_unavailable(
    client: LoyaltyClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.fail(502, times=None, body="<html><body>Bad gateway</body></html>")
    with pytest.raises(ApiUnavailable) as caught:
        client.list_cards()
    assert caught.value.status == 502
    assert "<html>" not in str(caught.value)


def test_a_stamp_whose_answer_was_lost_is_of_unknown_outcome_and_sent_once(
    client: LoyaltyClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.drop(path="/stamps", after_apply=True)
    before = sandbox.state.members[DEMO_ADA_ID]["stamps"]
    with pytest.raises(OutcomeUnknown):
        client.add_stamps(STAMP, DEMO_ADA_ID, 1)
    assert len(sandbox.find_requests("POST", "/stamps")) == 1
    assert sandbox.state.members[DEMO_ADA_ID]["stamps"] == before + 1


def test_a_stamp_that_timed_out_is_of_unknown_outcome_and_sent_once(sandbox: SandboxServer) -> None:
    sandbox.faults.drop(path="/stamps", after_apply=True, hang=5.0)
    timeout = httpx.Timeout(connect=3.0, read=0.2, write=3.0, pool=3.0)
    with LoyaltyClient(sandbox.base_url, KEY, SECRET, timeout=timeout, sleep=lambda _: None) as client, \
            pytest.raises(OutcomeUnknown) as caught:
        client.add_stamps(STAMP, DEMO_ADA_ID, 1)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(sandbox.find_requests("POST", "/stamps")) == 1


def closed_port() -> int:
    """A loopback port nobody listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_change_to_an_api_that_refuses_connections_is_retried_then_unavailable() -> None:
    sleeps: list[float] = []
    with LoyaltyClient(f"http://127.0.0.1:{closed_port()}/v4", KEY, SECRET, sleep=sleeps.append) as client, \
            pytest.raises(ApiUnavailable) as caught:
        client.add_stamps(STAMP, DEMO_ADA_ID, 1)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(sleeps) == 4
