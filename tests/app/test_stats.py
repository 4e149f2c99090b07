"""`/loyalty stats` end to end: figures from the sandbox and the audit log, the chart, the cache, bad input."""

from __future__ import annotations

from datetime import datetime

from bot.coupontools import Member
from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from localstack.slack import render_message
from localstack.stack import GENERAL, LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def ask(stack: LocalStack, text: str, user: str = VIEWER) -> str:
    return render_message(private_reply(stack, text, user))


def member_reads(stack: LocalStack) -> int:
    return len(stack.sandbox.find_requests("GET", "/stats"))


def expected(stack: LocalStack) -> dict[str, int]:
    """The figures worked out from the sandbox's own records, independently of the app."""
    now = datetime.now()
    members = [Member.model_validate(m) for m in stack.sandbox.state.members.values() if m["card_id"] == CARD]
    live = [m for m in members if not m.is_voided]
    return {
        "live": len(live), "voided": len(members) - len(live),
        "available": sum(len(m.available_rewards(now)) for m in live),
        "used": sum(len(m.used_rewards()) for m in live),
        "expired": sum(len(m.expired_rewards(now)) for m in live),
        "holding": sum(1 for m in live if m.available_rewards(now)),
        "one_away": sum(1 for m in live if m.stamps is not None and m.stamps % 10 == 9),
    }


def field(shown: str, label: str) -> str:
    return shown.split(f"*{label}")[1].split("\n")[1].strip()


def test_stats_shows_the_cards_figures_and_posts_the_chart_where_asked(stack: LocalStack) -> None:
    private_reply(stack, f"stamp {CARD} {DEMO_GRACE_ID} 3", OPERATOR)
    want = expected(stack)
    shown = ask(stack, f"stats {CARD} --days 7")
    assert field(shown, "Live members") == str(want["live"])
    assert field(shown, "Voided members") == str(want["voided"])
    assert field(shown, "Stamps given through the app (last 7 days)") == "3"
    assert field(shown, "Rewards available / used / expired") == (
        f"{want['available']} / {want['used']} / {want['expired']}")
    assert field(shown, "Members holding an unused reward") == str(want["holding"])
    assert field(shown, "Members one stamp from a reward") == str(want["one_away"])
    assert "as of" in shown
    assert "@example.com" not in shown  # aggregates only
    [chart] = stack.slack.wait_for(lambda: stack.slack.files(GENERAL), what="the chart in #general", timeout=30)
    assert chart.name.endswith(".png")
    assert chart.content.startswith(b"\x89PNG")


def test_a_second_request_within_the_ttl_reads_no_member(stack: LocalStack) -> None:
    ask(stack, f"stats {CARD}")
    reads = member_reads(stack)
    assert reads >= 1
    shown = ask(stack, f"stats {CARD} --days 90")
    assert "Live members" in shown
    assert member_reads(stack) == reads


def test_days_out_of_range_are_refused_before_any_api_call(stack: LocalStack) -> None:
    for days in ("0", "100000", "-3", "ten"):
        shown = ask(stack, f"stats {CARD} --days {days}")
        assert "from 1 to 365" in shown
    assert member_reads(stack) == 0


def test_an_unknown_card_gets_a_clear_answer(stack: LocalStack) -> None:
    shown = ask(stack, "stats nosuchcard")
    assert "nosuchcard" in shown
    assert member_reads(stack) == 0


def test_a_card_with_no_members_says_so_without_a_chart(stack: LocalStack) -> None:
    empty = stack.sandbox.state.copy_card(CARD, "Empty Club")
    shown = ask(stack, f"stats {empty['id']}")
    assert "has no members yet" in shown
    assert stack.slack.files() == []


def test_an_api_failing_half_way_shows_no_figures_and_caches_nothing(stack: LocalStack) -> None:
    stack.sandbox.state.create_members(CARD, [{"first_name": f"Bulk{n}"} for n in range(600)])
    stack.sandbox.faults.fail(400, path="/stats", after=1)
    shown = ask(stack, f"stats {CARD}")
    assert "stopped answering after 500 members" in shown
    assert "Live members" not in shown
    assert "Live members" in ask(stack, f"stats {CARD}")  # read again, in full


def test_the_chart_goes_to_a_dm_when_the_conversation_refuses_it(stack: LocalStack) -> None:
    stack.slack.fail("files.completeUploadExternal", status=500)
    ask(stack, f"stats {CARD}")
    dm = f"D{VIEWER[1:]}"
    [chart] = stack.slack.wait_for(lambda: stack.slack.files(dm), what="the chart in a DM", timeout=30)
    assert chart.content.startswith(b"\x89PNG")
    assert stack.slack.files(GENERAL) == []


def test_a_big_card_shows_a_progress_line_that_the_figures_replace(stack: LocalStack) -> None:
    stack.sandbox.state.create_members(CARD, [{"first_name": f"Bulk{n}"} for n in range(1000)])
    want = expected(stack)
    assert stack.driver.command(f"stats {CARD}", user=VIEWER).ok
    stack.slack.wait_for(lambda: any("Counting the members" in render_message(e)
                                     for e in stack.slack.ephemerals(VIEWER)), what="the progress line")
    shown = stack.slack.wait_for(lambda: next((render_message(e) for e in stack.slack.ephemerals(VIEWER)
                                               if "Live members" in render_message(e)), None), what="the figures")
    assert field(shown, "Live members") == str(want["live"])
    assert not any("Counting the members" in render_message(e) for e in stack.slack.ephemerals(VIEWER))
