"""Requests Slack did not sign (or signed too long ago) are refused by Bolt with 401 and do nothing."""

from __future__ import annotations

import pytest

from localstack.slack import FakeSlack, SlackDriver


@pytest.mark.parametrize("signature", ["bad", "stale", "missing"])
def test_unsigned_or_stale_command_gets_401_and_does_nothing(
    bench: FakeSlack, driver: SlackDriver, signature: str
) -> None:
    ack = driver.command("member", user="U_ADMIN", signature=signature)  # type: ignore[arg-type]

    assert ack.status == 401
    assert bench.calls("response_url") == []
    assert bench.ephemerals("U_ADMIN") == []


def test_a_correctly_signed_command_is_accepted(driver: SlackDriver) -> None:
    assert driver.command("member", user="U_ADMIN").status == 200
