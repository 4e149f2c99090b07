"""The Home tab end to end: each card's headline figures, and admins' pending approvals and scheduled pushes with
their buttons."""

from __future__ import annotations

from bot.sandbox import DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import controls, render_view
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN, ADMIN2, OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def live_members(stack: LocalStack) -> int:
    return sum(1 for m in stack.sandbox.state.members.values() if m["card_id"] == CARD and not m["voided_at"])


def home_saying(stack: LocalStack, user: str, words: str):
    return stack.slack.wait_for(lambda: ((h := stack.slack.home(user)) and words in render_view(h) and h) or None,
                                what=f"a Home saying {words!r}")


def test_home_shows_each_cards_headline_figures_and_no_member(stack: LocalStack) -> None:
    stack.driver.app_home_opened(user=VIEWER)
    home = home_saying(stack, VIEWER, f"{live_members(stack)} live members")
    assert "as of" in render_view(home)
    emails = {m.get("email") for m in stack.sandbox.state.members.values()} - {None, "ada@example.com"}
    assert not [email for email in emails if email in render_view(home)]  # ada's is the help's example
    assert "waiting for approval" not in render_view(home)


def test_home_reuses_the_figures_stats_counted(stack: LocalStack) -> None:
    private_reply(stack, f"stats {CARD}", VIEWER)
    reads = len(stack.sandbox.find_requests("GET", "/stats"))
    stack.driver.app_home_opened(user=VIEWER)
    home_saying(stack, VIEWER, f"{live_members(stack)} live members")
    # only the other card is paged
    coffee = [r for r in stack.sandbox.find_requests("GET", "/stats") if f"/{CARD}/" in r.path]
    assert len(coffee) == reads


def test_admins_see_pending_approvals_and_can_approve_from_home(stack: LocalStack) -> None:
    private_reply(stack, f"push {CARD} Double stamps this weekend!", OPERATOR)
    stack.driver.app_home_opened(user=OPERATOR)
    assert "waiting for approval" not in render_view(home_saying(stack, OPERATOR, "live members"))
    stack.driver.app_home_opened(user=ADMIN2)
    home = home_saying(stack, ADMIN2, "Double stamps this weekend!")
    approve = next(c for c in controls(home.blocks) if c.action_id == ids.APPROVAL_APPROVE)
    stack.driver.click(home, choice=approve, user=ADMIN2)
    stack.slack.wait_for(lambda: stack.sandbox.state.pushes, what="the push sent")
    [push] = stack.sandbox.state.pushes
    assert push["message"] == "Double stamps this weekend!"
    stack.driver.app_home_opened(user=ADMIN)
    assert "Double stamps" not in render_view(home_saying(stack, ADMIN, "live members"))


def test_admins_see_scheduled_pushes_with_cancel_on_home(stack: LocalStack) -> None:
    private_reply(stack, f"push {CARD} --at +2h Coffee at noon", OPERATOR)  # waits for approval, then its time
    stack.driver.app_home_opened(user=ADMIN)
    home = home_saying(stack, ADMIN, "scheduled push")
    assert "Coffee at noon" in render_view(home)
    assert any(c.action_id == ids.SCHEDULED_CANCEL for c in controls(home.blocks))
    stack.driver.app_home_opened(user=OPERATOR)
    assert "scheduled push" not in render_view(home_saying(stack, OPERATOR, "live members"))
