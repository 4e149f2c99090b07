"""What the end-to-end tests share: the demo people, and typing a command to read the private reply."""

from __future__ import annotations

from localstack.slack import Ephemeral
from localstack.stack import ADMIN, ADMIN2, OPERATOR, VIEWER, LocalStack

__all__ = ["ADMIN", "ADMIN2", "OPERATOR", "VIEWER", "private_reply"]


def private_reply(stack: LocalStack, text: str, user: str) -> Ephemeral:
    """Type `/loyalty text` as `user`; the answer only they see (Slack acknowledged the command first)."""
    assert stack.driver.command(text, user=user).ok
    reply = stack.driver.wait_reply(user)
    assert isinstance(reply, Ephemeral)
    return reply
