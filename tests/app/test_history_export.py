"""`/loyalty history` and `/loyalty export` end to end, over signed requests, the sandbox API and the store."""

from __future__ import annotations

import csv
import io

from bot.sandbox import DEMO_ADA_ID, DEMO_ALAN_ID, DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import render_message
from localstack.slack.payloads import find_control
from localstack.stack import GENERAL, LocalStack
from tests.app.helpers import ADMIN, ADMIN2, OPERATOR, VIEWER, private_reply

CARD = DEMO_STAMP_CARD_ID


def ask(stack: LocalStack, text: str, user: str = OPERATOR) -> str:
    return render_message(private_reply(stack, text, user))


def record(stack: LocalStack, count: int, member_id: int, *, action: str = "stamp",
           params: dict | None = None) -> None:
    for _ in range(count):
        entry = stack.services.store.audit.begin(
            actor=OPERATOR, team_id="T0LOYALTY", channel_id=GENERAL, action=action, card_id=CARD,
            member_ids=[member_id], params=params if params is not None else {"amount": 2}, request_id=None)
        stack.services.store.audit.finish(entry, "ok")


# -- history --------------------------------------------------------------------------------------------


def test_history_lists_the_members_changes_newest_first_beside_the_apis_counts(stack: LocalStack) -> None:
    ask(stack, f"stamp {CARD} {DEMO_GRACE_ID} 2")
    record(stack, 1, DEMO_GRACE_ID, action="member.update", params={"fields": ["email", "city"]})
    record(stack, 1, DEMO_ADA_ID)  # another member's change is not listed
    shown = ask(stack, f"history {CARD} {DEMO_GRACE_ID}")
    assert "11 stamps" in shown  # the API's count, beside the log
    assert shown.index("edited email, city") < shown.index("added 2 stamps")
    assert shown.count("added 2 stamps") == 1
    assert "grace@example.com" not in shown.split("History")[1].split("edited")[1]


def test_history_pages_ten_at_a_time_with_older(stack: LocalStack) -> None:
    record(stack, 12, DEMO_GRACE_ID)
    reply = private_reply(stack, f"history {CARD} {DEMO_GRACE_ID}", OPERATOR)
    assert render_message(reply).count("added 2 stamps") == 10
    stack.driver.click(reply, action_id=ids.HISTORY_MORE, user=OPERATOR)
    stack.slack.wait_for(lambda: "Older changes" in render_message(reply), what="the older page")
    assert render_message(reply).count("added 2 stamps") == 2
    assert "Older" not in [c for c in render_message(reply).split("[") if c.startswith("Older]")]


def test_history_says_when_nothing_was_changed_through_the_app(stack: LocalStack) -> None:
    assert "No changes to" in ask(stack, f"history {CARD} {DEMO_ADA_ID}")


def test_history_button_on_the_member_card_shows_the_same_history(stack: LocalStack) -> None:
    record(stack, 1, DEMO_GRACE_ID)
    card = private_reply(stack, f"member {CARD} {DEMO_GRACE_ID}", OPERATOR)
    stack.driver.click(card, action_id=ids.MEMBER_HISTORY, user=OPERATOR)
    reply = stack.slack.wait_for(
        lambda: next((e for e in stack.slack.ephemerals(OPERATOR) if "History" in render_message(e)
                      and "added 2 stamps" in render_message(e)), None), what="the history")
    assert reply is not None


def test_history_is_for_operators_and_refuses_unknown_members_and_cards(stack: LocalStack) -> None:
    assert "LOYALTY_OPERATORS" in ask(stack, f"history {CARD} {DEMO_GRACE_ID}", user=VIEWER)
    assert f"No member of Coffee Club has the id, code, email, phone or name `{99999}`" in ask(
        stack, f"history {CARD} 99999")
    assert "nosuchcard" in ask(stack, "history nosuchcard 1")


def test_a_forged_older_button_is_refused_in_words(stack: LocalStack) -> None:
    record(stack, 12, DEMO_GRACE_ID)
    reply = private_reply(stack, f"history {CARD} {DEMO_GRACE_ID}", OPERATOR)
    reply.blocks[-1]["elements"][0]["value"] = "h1|x|1|2"
    stack.driver.click(reply, action_id=ids.HISTORY_MORE, user=OPERATOR)
    stack.slack.wait_for(lambda: any("out of date" in render_message(e) for e in stack.slack.ephemerals(OPERATOR)),
                         what="the refusal")


# -- export ---------------------------------------------------------------------------------------------


def test_export_asks_first_then_dms_a_formula_safe_csv_and_records_only_the_count(stack: LocalStack) -> None:
    stack.sandbox.state.members[DEMO_GRACE_ID]["city"] = "=HYPERLINK(\"http://evil\")"
    confirmation = private_reply(stack, f"export {CARD}", ADMIN)
    shown = render_message(confirmation)
    assert "contact" in shown
    assert "direct message" in shown
    assert stack.sandbox.find_requests("GET", "/stats") == []  # nothing read before the click
    stack.driver.click(confirmation, action_id=ids.EXPORT_RUN, user=ADMIN)
    stack.slack.wait_for(lambda: "Sent" in render_message(confirmation), what="the export's answer")
    [file] = stack.slack.files()
    assert file.channels
    assert all(channel.startswith("D") for channel in file.channels)
    assert stack.slack.files(GENERAL) == []
    rows = list(csv.DictReader(io.StringIO(file.content.decode())))
    live = [m for m in stack.sandbox.state.members.values() if m["card_id"] == CARD and not m.get("voided_at")]
    assert len(rows) == len(live)
    grace = next(row for row in rows if row["id"] == str(DEMO_GRACE_ID))
    assert grace["city"].startswith("'=")
    assert grace["email"] == "grace@example.com"
    assert str(DEMO_ALAN_ID) not in {row["id"] for row in rows}  # voided: only with --voided
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.actor, entry.card_id, entry.outcome) == ("export", ADMIN, CARD, "ok")
    assert entry.params == {"rows": len(rows), "include_voided": False}


def test_export_with_voided_includes_voided_members(stack: LocalStack) -> None:
    confirmation = private_reply(stack, f"export {CARD} --voided", ADMIN)
    stack.driver.click(confirmation, action_id=ids.EXPORT_RUN, user=ADMIN)
    [file] = stack.slack.wait_for(lambda: stack.slack.files(), what="the CSV")
    rows = list(csv.DictReader(io.StringIO(file.content.decode())))
    assert str(DEMO_ALAN_ID) in {row["id"] for row in rows}


def test_a_second_click_or_another_admins_click_sends_nothing_more(stack: LocalStack) -> None:
    confirmation = private_reply(stack, f"export {CARD}", ADMIN)
    run = find_control(confirmation.blocks, action_id=ids.EXPORT_RUN)
    stack.driver.click(confirmation, choice=run, user=ADMIN2)
    assert "belongs to the admin" in render_message(stack.driver.wait_reply(ADMIN2))
    stack.driver.click(confirmation, choice=run, user=ADMIN)
    stack.slack.wait_for(lambda: "Sent" in render_message(confirmation), what="the export")
    stack.driver.click(confirmation, choice=run, user=ADMIN)
    assert "already been sent" in render_message(stack.driver.wait_reply(ADMIN))
    assert len(stack.slack.files()) == 1


def test_cancel_makes_no_file(stack: LocalStack) -> None:
    confirmation = private_reply(stack, f"export {CARD}", ADMIN)
    stack.driver.click(confirmation, action_id=ids.EXPORT_CANCEL, user=ADMIN)
    stack.slack.wait_for(lambda: "cancelled" in render_message(confirmation), what="the cancellation")
    assert stack.slack.files() == []
    assert stack.sandbox.find_requests("GET", "/stats") == []


def test_export_is_for_admins_only(stack: LocalStack) -> None:
    assert "LOYALTY_ADMINS" in ask(stack, f"export {CARD}", user=OPERATOR)


def test_export_of_an_unknown_card_or_with_a_bad_option_holds_nothing(stack: LocalStack) -> None:
    assert "nosuchcard" in ask(stack, "export nosuchcard", user=ADMIN)
    assert "--all" in ask(stack, f"export {CARD} --all", user=ADMIN)
    assert stack.services.store.held.waiting("confirmation") == []


def export_refused(stack: LocalStack, card: object) -> str:
    """Confirm an export of `card`; the answer saying no file was made, after checking none was."""
    confirmation = private_reply(stack, f"export {card}", ADMIN)
    stack.driver.click(confirmation, action_id=ids.EXPORT_RUN, user=ADMIN)
    shown = stack.slack.wait_for(lambda: next((render_message(e) for e in stack.slack.ephemerals(ADMIN)
                                               if "no file was made" in render_message(e)), None), what="the answer")
    assert stack.slack.files() == []
    assert stack.services.store.audit.latest() == []
    return shown


def test_export_of_a_card_without_members_makes_no_file(stack: LocalStack) -> None:
    empty = stack.sandbox.state.copy_card(CARD, "Empty Club")
    assert "Empty Club has no members with a live card" in export_refused(stack, empty["id"])


def test_an_api_failing_half_way_makes_no_partial_file(stack: LocalStack) -> None:
    stack.sandbox.state.create_members(CARD, [{"first_name": f"Bulk{n}"} for n in range(600)])
    stack.sandbox.faults.fail(400, path="/stats", after=1)  # the first page answers, the second fails
    assert "after 500 members" in export_refused(stack, CARD)
