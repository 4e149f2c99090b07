"""Push notifications: targeted or to everyone, recorded in state."""

from __future__ import annotations

import httpx

from bot.sandbox import DEMO_ADA_ID, DEMO_GRACE_ID, DEMO_KATHERINE_ID, DEMO_STAMP_CARD_ID, SandboxServer
from tests.sandbox.conftest import STAMP_CARD, listed_error


def test_a_targeted_push_counts_its_recipients(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/push-notifications", json={
        "message": "Your coffee is waiting", "recipient_stat_ids": [DEMO_ADA_ID, DEMO_GRACE_ID],
    })

    assert response.status_code == 200
    assert response.json() == {"message": "Targeted push notification", "total_recipients": 2}
    [push] = sandbox.state.pushes
    assert push["card_id"] == DEMO_STAMP_CARD_ID
    assert push["recipient_ids"] == [DEMO_ADA_ID, DEMO_GRACE_ID]
    assert push["message"] == "Your coffee is waiting"


def test_a_push_without_recipients_goes_to_every_non_voided_member(
    api: httpx.Client, sandbox: SandboxServer,
) -> None:
    expected = sum(
        1 for member in sandbox.state.members.values()
        if member["card_id"] == DEMO_STAMP_CARD_ID and member["voided_at"] is None
    )

    response = api.post(f"{STAMP_CARD}/push-notifications", json={"message": "Double stamps today"})

    assert response.status_code == 200
    assert response.json()["total_recipients"] == expected
    assert len(sandbox.state.pushes) == 1
    assert sandbox.state.pushes[0]["recipient_ids"] is None


def test_a_push_needs_a_message(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/push-notifications", json={"recipient_stat_ids": [DEMO_ADA_ID]})

    assert response.status_code == 422
    errors = listed_error(response)
    assert errors["error_code"] == [200]
    assert "message" in errors["error_message"]
    assert sandbox.state.pushes == []


def test_a_push_to_a_member_of_another_card_is_refused(api: httpx.Client, sandbox: SandboxServer) -> None:
    response = api.post(f"{STAMP_CARD}/push-notifications", json={
        "message": "Hi", "recipient_stat_ids": [DEMO_KATHERINE_ID],
    })

    assert response.status_code == 422
    assert sandbox.state.pushes == []
