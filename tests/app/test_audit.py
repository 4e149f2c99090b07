"""`/loyalty audit` end to end: the latest changes for admins only, older pages, and a CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.sandbox import DEMO_GRACE_ID, DEMO_MEMBERSHIP_CARD_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import Ephemeral, controls, render_message
from localstack.stack import GENERAL, LocalStack
from tests.app.helpers import ADMIN, OPERATOR, private_reply

CARD = DEMO_STAMP_CARD_ID


def record(stack: LocalStack, count: int, *, card_id: int = CARD, outcome: str = "ok") -> list[int]:
    """Changes as the audited path writes them (begin, then finish); returns their ids, oldest first."""
    entries = []
    for n in range(count):
        entry = stack.services.store.audit.begin(
            actor=ADMIN, team_id="T0LOYALTY", channel_id=GENERAL, action="stamp", card_id=card_id,
            member_ids=[1000 + n], params={"amount": 1}, request_id=f"req{n}",
        )
        stack.services.store.audit.finish(entry, outcome)  # type: ignore[arg-type]
        entries.append(entry)
    return entries


def audit(stack: LocalStack, text: str = "audit", user: str = ADMIN) -> Ephemeral:
    return private_reply(stack, text, user)


def member_ids_shown(reply: Ephemeral) -> list[int]:
    lines = [line for line in render_message(reply).splitlines() if "*stamp*" in line]
    return [int(line.split("member ")[1].split(" ")[0]) for line in lines]


def test_admins_see_the_latest_twenty_changes_newest_first_and_page_with_more(stack: LocalStack) -> None:
    record(stack, 25)
    reply = audit(stack)
    shown = render_message(reply)
    assert f"@{ADMIN}" in shown  # who, as a mention
    assert f"card {CARD}" in shown
    assert "ok" in shown
    assert member_ids_shown(reply) == list(range(1024, 1004, -1))
    stack.driver.click(reply, action_id=ids.AUDIT_MORE, user=ADMIN)
    stack.slack.wait_for(lambda: member_ids_shown(reply) == list(range(1004, 999, -1)), what="the older page")
    assert ids.AUDIT_MORE not in {c.action_id for c in controls(reply.blocks)}


def test_audit_of_one_card_shows_only_its_changes(stack: LocalStack) -> None:
    record(stack, 2)
    record(stack, 1, card_id=DEMO_MEMBERSHIP_CARD_ID)
    shown = render_message(audit(stack, f"audit {DEMO_MEMBERSHIP_CARD_ID}"))
    assert "VIP Membership" in shown
    assert f"card {DEMO_MEMBERSHIP_CARD_ID}" in shown
    assert f"card {CARD}" not in shown


def test_non_admins_are_refused(stack: LocalStack) -> None:
    record(stack, 1)
    shown = render_message(audit(stack, user=OPERATOR))
    assert "LOYALTY_ADMINS" in shown
    assert "*stamp*" not in shown


def test_a_confirmed_void_shows_up_in_the_audit(stack: LocalStack) -> None:
    confirmation = audit(stack, f"void {CARD} {DEMO_GRACE_ID}")
    stack.driver.click(confirmation, action_id=ids.CONFIRM_RUN, user=ADMIN)
    stack.slack.wait_for(lambda: "Done" in render_message(confirmation))
    shown = render_message(audit(stack))
    assert "*void*" in shown
    assert f"member {DEMO_GRACE_ID}" in shown


def test_export_sends_a_csv_of_the_chosen_days_to_the_requester_alone(stack: LocalStack) -> None:
    ids_written = record(stack, 3)
    record(stack, 1, outcome="unknown")
    reply = audit(stack)
    stack.driver.click(reply, action_id=ids.AUDIT_EXPORT, user=ADMIN)
    form = stack.slack.wait_for_modal(ADMIN, callback_id=ids.AUDIT_EXPORT_VIEW)
    today = datetime.now(UTC).date()
    ack = stack.driver.submit(form, {ids.AUDIT_FROM_BLOCK: today.isoformat(),
                                     ids.AUDIT_TO_BLOCK: (today - timedelta(days=1)).isoformat()}, user=ADMIN)
    assert ids.AUDIT_TO_BLOCK in ack.errors  # the end before the start is refused in the form
    stack.driver.submit(form, {ids.AUDIT_FROM_BLOCK: (today - timedelta(days=1)).isoformat(),
                               ids.AUDIT_TO_BLOCK: today.isoformat()}, user=ADMIN)
    [file] = stack.slack.wait_for(lambda: stack.slack.files("D" + ADMIN[1:]), what="the CSV in a DM")
    assert stack.slack.files(GENERAL) == []  # never in the channel
    assert file.name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(file.content.decode())))
    assert [int(row["id"]) for row in rows[:3]] == ids_written
    assert [row["outcome"] for row in rows] == ["ok", "ok", "ok", "unknown"]
    assert {row["who"] for row in rows} == {ADMIN}
    assert rows[0]["member_ids"] == "1000"
    stack.slack.wait_for(lambda: (m := stack.slack.modal(ADMIN)) and "4 changes" in str(m.blocks),
                         what="the export's answer in the modal")
    # The channel hears that it happened, in one line: who, how many, which days; nothing of the contents.
    [summary] = stack.slack.wait_for(lambda: [m for m in stack.slack.messages(GENERAL) if "audit log" in m.text],
                                     what="the export's line in the channel")
    assert f"<@{ADMIN}>" in summary.text
    assert "4 change(s)" in summary.text
    assert "direct message" in summary.text
    assert "http" not in summary.text
    assert "1000" not in summary.text


def test_export_of_days_without_changes_posts_no_file(stack: LocalStack) -> None:
    record(stack, 1)
    stack.driver.click(audit(stack), action_id=ids.AUDIT_EXPORT, user=ADMIN)
    form = stack.slack.wait_for_modal(ADMIN, callback_id=ids.AUDIT_EXPORT_VIEW)
    stack.driver.submit(form, {ids.AUDIT_FROM_BLOCK: "2020-01-01", ids.AUDIT_TO_BLOCK: "2020-01-31"}, user=ADMIN)
    stack.slack.wait_for(lambda: (m := stack.slack.modal(ADMIN)) and "No changes" in str(m.blocks),
                         what="the empty-range answer")
    assert stack.slack.files(GENERAL) == []
