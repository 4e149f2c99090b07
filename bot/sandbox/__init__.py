"""A local Coupontools v4 loyalty API (like stripe-mock): try and test the bot without an account.

    from bot.sandbox import SandboxServer, DEMO_STAMP_CARD_ID
    with SandboxServer(api_key="k", api_secret="s") as server:
        ...  # point the client at server.base_url; inspect server.state, server.requests; use server.faults
"""

from bot.sandbox.faults import Faults, Rule
from bot.sandbox.seed import (
    DEMO_ADA_AVAILABLE_REWARD_ID,
    DEMO_ADA_EXPIRED_REWARD_ID,
    DEMO_ADA_ID,
    DEMO_ADA_USED_REWARD_ID,
    DEMO_ALAN_ID,
    DEMO_EDSGER_ID,
    DEMO_GRACE_ID,
    DEMO_KATHERINE_ID,
    DEMO_MEMBERSHIP_CARD_CODE,
    DEMO_MEMBERSHIP_CARD_ID,
    DEMO_STAMP_CARD_CODE,
    DEMO_STAMP_CARD_ID,
    REWARD_NAME,
    STAMPS_PER_REWARD,
)
from bot.sandbox.server import DEMO_API_KEY, DEMO_API_SECRET, RecordedRequest, SandboxServer, serve
from bot.sandbox.state import SandboxState

__all__ = [
    "DEMO_ADA_AVAILABLE_REWARD_ID",
    "DEMO_ADA_EXPIRED_REWARD_ID",
    "DEMO_ADA_ID",
    "DEMO_ADA_USED_REWARD_ID",
    "DEMO_ALAN_ID",
    "DEMO_API_KEY",
    "DEMO_API_SECRET",
    "DEMO_EDSGER_ID",
    "DEMO_GRACE_ID",
    "DEMO_KATHERINE_ID",
    "DEMO_MEMBERSHIP_CARD_CODE",
    "DEMO_MEMBERSHIP_CARD_ID",
    "DEMO_STAMP_CARD_CODE",
    "DEMO_STAMP_CARD_ID",
    "REWARD_NAME",
    "STAMPS_PER_REWARD",
    "Faults",
    "RecordedRequest",
    "Rule",
    "SandboxServer",
    "SandboxState",
    "serve",
]
