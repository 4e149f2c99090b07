"""`/loyalty import` end to end: the form, the preview, one Import click, progress and the report in the channel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot import held
from bot.sandbox import DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import View, controls, render_message, render_view
from localstack.stack import GENERAL, LocalStack
from tests.app.helpers import ADMIN, OPERATOR, VIEWER

HEADER = "First name,Last name,E-mail,Mobile"


def members_csv(count: int, *, bad: dict[int, str] | None = None, header: str = HEADER) -> str:
    """`count` rows of made-up members; `bad` replaces the email of the given 0-based rows."""
    lines = [header]
    for n in range(count):
        email = (bad or {}).get(n, f"member{n}@example.com")
        lines.append(f"Member{n},Test,{email},+32 470 00 {n:04d}")
    return "\r\n".join(lines) + "\r\n"


def imported(stack: LocalStack) -> list[dict]:
    """The members the import created on the stamp card (the demo's own have other names)."""
    with stack.sandbox.state.lock:
        return [m for m in stack.sandbox.state.members.values()
                if m["card_id"] == DEMO_STAMP_CARD_ID and str(m.get("first_name", "")).startswith("Member")]


def open_form(stack: LocalStack, user: str = OPERATOR) -> View:
    stack.driver.command(f"import {DEMO_STAMP_CARD_ID}", user=user, channel=GENERAL)
    return stack.slack.wait_for_modal(user, callback_id=ids.IMPORT_VIEW)


def preview(stack: LocalStack, values: dict, user: str = OPERATOR) -> View:
    ack = stack.driver.submit(open_form(stack, user), values, user=user)
    assert ack.response_action == "update"
    return stack.slack.wait_for(lambda: ((m := stack.slack.modal(user)) and m.callback_id == ids.IMPORT_PREVIEW_VIEW
                                         and m) or None)


def report(stack: LocalStack):
    return stack.slack.wait_for(lambda: next((m for m in stack.slack.messages(GENERAL)
                                              if "is finished" in render_message(m)), None), timeout=20)


def test_import_of_250_rows_with_3_bad_ones_creates_247_and_reports_it(stack: LocalStack) -> None:
    data = members_csv(250, bad={10: "not-an-email", 100: "x@", 200: "member0@example.com"})
    shown = render_view(preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", data.encode())]}))
    assert "247 of 250 rows" in shown
    assert "Line 12" in shown
    assert "Line 102" in shown
    assert "Line 202: Email `member0@example.com`: same as line 2" in shown
    assert not stack.sandbox.find_requests("POST", "/stats/bulk"), "nothing is sent before Import"
    stack.driver.click(stack.slack.modal(OPERATOR), action_id=ids.IMPORT_RUN, user=OPERATOR)
    shown = render_message(report(stack))
    assert "247 of 247" in shown
    assert len(imported(stack)) == 247
    assert len(stack.sandbox.find_requests("POST", "/stats/bulk")) == 3  # chunks of 100
    [file] = stack.slack.wait_for(lambda: stack.slack.files("D" + OPERATOR[1:]))
    assert stack.slack.files(GENERAL) == []  # wallet links go to the importer alone
    rows = list(csv.reader(io.StringIO(file.content.decode())))
    assert rows[0] == ["id", "code", "wallet_link"]
    assert len(rows) == 248
    assert "@" not in file.content.decode(), "the report holds no contact details"
    entry = stack.services.store.audit.latest(DEMO_STAMP_CARD_ID, limit=1)[0]
    assert (entry.action, entry.outcome) == ("member.import", "ok")
    assert entry.params["rows"] == 247
    assert entry.params["chunks"] == 3


def test_pasted_csv_with_aliases_semicolons_and_unknown_columns_is_imported(stack: LocalStack) -> None:
    pasted = ("\ufeffGiven name; SURNAME ;Email address;Telephone;Postal code;Town;Custom 1;Notes;Favourite\n\n"
              'Member1;Curie;marie@example.com;+33 1 23 45 67 89;75005;Paris;"gold; early";x;tea\n'
              "Member2;Noether;emmy@example.com;;;;;;\n")
    shown = render_view(preview(stack, {ids.IMPORT_TEXT_BLOCK: pasted}))
    assert "2 of 2 rows" in shown
    assert "Notes" in shown
    assert "Favourite" in shown
    stack.driver.click(stack.slack.modal(OPERATOR), action_id=ids.IMPORT_RUN, user=OPERATOR)
    report(stack)
    marie = next(m for m in imported(stack) if m["last_name"] == "Curie")
    assert (marie["email"], marie["zip"], marie["city"], marie["custom_1"]) == (
        "marie@example.com", "75005", "Paris", "gold; early")
    assert "Notes" not in str(stack.sandbox.find_requests("POST", "/stats/bulk")[0].body)


def test_form_needs_pasted_text_or_a_file_and_says_so_on_the_field(stack: LocalStack) -> None:
    form = open_form(stack)
    ack = stack.driver.submit(form, {}, user=OPERATOR)
    assert ids.IMPORT_TEXT_BLOCK in ack.errors
    ack = stack.driver.submit(form, {ids.IMPORT_TEXT_BLOCK: "First name,Email\n"}, user=OPERATOR)
    assert "no rows" in ack.errors[ids.IMPORT_TEXT_BLOCK]


def test_a_file_that_is_not_text_is_refused_in_words(stack: LocalStack) -> None:
    form = open_form(stack)
    stack.driver.submit(form, {ids.IMPORT_FILE_BLOCK: [("members.csv", bytes(range(256)) * 4)]}, user=OPERATOR)
    shown = stack.slack.wait_for(lambda: ((m := stack.slack.modal(OPERATOR)) and "binary" in render_view(m)
                                          and m) or None)
    assert shown is not None
    assert not stack.sandbox.find_requests("POST", "/stats/bulk")


def test_import_clicked_twice_creates_the_members_once(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(5)})
    [run] = [c for c in controls(view.blocks) if c.action_id == ids.IMPORT_RUN]
    stack.driver.click(view, choice=run, user=OPERATOR)
    stack.driver.click(view, choice=run, user=OPERATOR)
    report(stack)
    assert len(imported(stack)) == 5
    assert len(stack.sandbox.find_requests("POST", "/stats/bulk")) == 1
    assert len([m for m in stack.slack.messages(GENERAL) if "is finished" in render_message(m)]) == 1


def test_cancel_sends_nothing_and_a_later_import_click_does_nothing(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(3)})
    [run] = [c for c in controls(view.blocks) if c.action_id == ids.IMPORT_RUN]
    stack.driver.click(view, action_id=ids.IMPORT_CANCEL, user=OPERATOR)
    stack.slack.wait_for(lambda: "cancelled" in render_view(stack.slack.modal(OPERATOR)))
    stack.driver.click(view, choice=run, user=OPERATOR)
    stack.slack.wait_for(lambda: "was cancelled" in render_view(stack.slack.modal(OPERATOR)))
    assert not stack.sandbox.find_requests("POST", "/stats/bulk")


def test_a_viewer_is_refused_at_the_command(stack: LocalStack) -> None:
    stack.driver.command(f"import {DEMO_STAMP_CARD_ID}", user=VIEWER)
    refused = stack.slack.wait_for(lambda: ((m := stack.slack.modal(VIEWER)) and "LOYALTY_OPERATORS"
                                            in render_view(m) and m) or None)
    assert refused.callback_id != ids.IMPORT_VIEW


def test_someone_who_lost_the_operator_role_is_refused_at_the_submission(stack: LocalStack) -> None:
    form = open_form(stack)
    stack.services.access.operators = frozenset()
    stack.driver.submit(form, {ids.IMPORT_TEXT_BLOCK: members_csv(3)}, user=OPERATOR)
    stack.slack.wait_for(lambda: "LOYALTY_OPERATORS" in render_view(stack.slack.modal(OPERATOR)))
    assert not stack.slack.calls("files.getUploadURLExternal"), "the pasted rows were not kept"


def test_a_viewer_clicking_import_is_refused_and_nothing_is_created(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(3)})
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=VIEWER)
    stack.slack.wait_for(lambda: "LOYALTY_OPERATORS" in render_view(stack.slack.modal(OPERATOR)))
    assert not stack.sandbox.find_requests("POST", "/stats/bulk")


def test_only_the_person_who_previewed_an_import_can_run_or_cancel_it(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(3)})
    buttons = {control.action_id: control for control in controls(view.blocks)}
    for action_id in (ids.IMPORT_RUN, ids.IMPORT_CANCEL):  # a replayed click: the modal is the previewer's own
        updates = len(stack.slack.calls("views.update"))
        stack.driver.click(view, choice=buttons[action_id], user=ADMIN)
        stack.slack.wait_for(lambda before=updates: len(stack.slack.calls("views.update")) > before)
        assert "belongs to the person who previewed" in render_view(stack.slack.modal(OPERATOR))
    assert not stack.sandbox.find_requests("POST", "/stats/bulk")
    stack.driver.click(view, choice=buttons[ids.IMPORT_RUN], user=OPERATOR)
    report(stack)
    assert len(imported(stack)) == 3


def test_a_refused_chunk_is_reported_per_chunk_and_nothing_is_resent(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(250).encode())]})
    stack.sandbox.faults.fail(422, path="/stats/bulk", times=1)
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    shown = render_message(report(stack))
    assert "150 of 250" in shown
    assert "Lines 2–101" in shown
    assert len(stack.sandbox.find_requests("POST", "/stats/bulk")) == 3
    assert len(imported(stack)) == 150
    entry = stack.services.store.audit.latest(DEMO_STAMP_CARD_ID, limit=1)[0]
    assert entry.outcome == "failed"


def _each_once(stack: LocalStack, count: int) -> None:
    emails = [m["email"] for m in imported(stack)]
    assert sorted(emails) == sorted(f"member{n}@example.com" for n in range(count)), "every row created exactly once"


def test_a_chunk_refused_with_a_502_is_looked_up_row_by_row_and_only_the_missing_rows_are_sent_again(
        stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(250).encode())]})
    stack.sandbox.faults.fail(502, path="/stats/bulk", times=1)  # refused before it was applied
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    assert "250 of 250" in render_message(report(stack))
    _each_once(stack, 250)
    assert len(stack.sandbox.find_requests("POST", "/stats/bulk")) == 4  # the refused chunk, sent again once
    assert stack.services.store.audit.latest(DEMO_STAMP_CARD_ID, limit=1)[0].outcome == "ok"


def test_a_chunk_applied_whose_answer_was_lost_is_found_by_lookup_and_never_sent_again(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(250).encode())]})
    stack.sandbox.faults.drop(path="/stats/bulk", times=1, after_apply=True)
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    shown = render_message(report(stack))
    assert "250 of 250" in shown
    _each_once(stack, 250)
    assert len(stack.sandbox.find_requests("POST", "/stats/bulk")) == 3
    [file] = stack.slack.wait_for(lambda: stack.slack.files("D" + OPERATOR[1:]))
    assert file.content.count(b"\r\n") == 251, "the members found by lookup are in the report's CSV too"


def test_an_api_that_never_answers_stops_the_import_and_the_chunk_is_reported_unknown(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(250).encode())]})
    stack.sandbox.faults.fail(502, path="/stats/bulk", times=None)
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    shown = render_message(report(stack))
    assert "0 of 250" in shown
    assert "stopped" in shown
    assert len(stack.sandbox.find_requests("POST", "/stats/bulk")) == 3, "three attempts at the first chunk, no more"
    assert not imported(stack)
    assert stack.services.store.audit.latest(DEMO_STAMP_CARD_ID, limit=1)[0].outcome == "unknown"


def test_ten_thousand_rows_import_within_slacks_limits_with_throttled_progress(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", members_csv(10_000).encode())]})
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    assert "10,000 of 10,000" in render_message(report(stack))
    [file] = stack.slack.wait_for(lambda: stack.slack.files("D" + OPERATOR[1:]))
    assert stack.slack.files(GENERAL) == []  # wallet links go to the importer alone
    assert file.content.count(b"\r\n") == 10_001
    assert len(imported(stack)) == 10_000
    assert len(stack.slack.calls("chat.update")) < 100, "progress is throttled, not one update per chunk"


def test_a_file_someone_else_uploaded_is_not_read_and_its_cells_are_not_shown(stack: LocalStack) -> None:
    secret = members_csv(2).replace("member0@example.com", "someone.private@example.com")
    theirs = stack.slack.register_file("theirs.csv", secret.encode(), user=ADMIN)
    stack.driver.submit(open_form(stack), {ids.IMPORT_FILE_BLOCK: [theirs]}, user=OPERATOR)
    shown = stack.slack.wait_for(lambda: ((m := stack.slack.modal(OPERATOR)) and "uploaded yourself"
                                          in render_view(m) and m) or None)
    assert "someone.private" not in render_view(shown)
    assert stack.services.store.held.expire() == []  # no import was held
    assert not stack.sandbox.find_requests("POST", "/stats/bulk")


def pasted_files(stack: LocalStack) -> list[str]:
    """The files the bot uploaded to keep pasted rows."""
    with stack.slack.workspace.lock:
        return [file.id for file in stack.slack.workspace.files.values() if file.name == "pasted-members.csv"]


def test_pasted_rows_are_deleted_from_slack_once_the_import_has_run(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(3)})
    assert len(pasted_files(stack)) == 1
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    report(stack)
    stack.services.worker.shutdown(wait=True)
    assert len(imported(stack)) == 3
    assert pasted_files(stack) == []


def test_pasted_rows_are_deleted_from_slack_when_the_import_is_cancelled(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(3)})
    stack.driver.click(view, action_id=ids.IMPORT_CANCEL, user=OPERATOR)
    stack.services.worker.shutdown(wait=True)
    assert pasted_files(stack) == []


def test_pasted_rows_of_an_import_that_expired_are_deleted_from_slack(stack: LocalStack, monkeypatch) -> None:
    monkeypatch.setattr(held, "CONFIRMATION_TTL", timedelta(microseconds=1))  # each import expires at once
    preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(3)})
    [kept] = pasted_files(stack)
    preview(stack, {ids.IMPORT_TEXT_BLOCK: members_csv(2)})  # the next import sweeps the expired ones
    assert kept not in pasted_files(stack)
    assert len(pasted_files(stack)) == 1


def test_rows_matching_existing_members_or_earlier_lines_are_skipped_unless_created_anyway(stack: LocalStack) -> None:
    pasted = ("First name,Email,Phone\n"
              "Member1,ADA@example.com,\n"            # line 2: Ada's email (any case)
              "Member2,,0032 2 555 01 02\n"           # line 3: Grace's phone, in another spelling
              "Member3,new3@example.com,\n"           # line 4: new
              "Member4,new3@example.com,\n")          # line 5: the same as line 4
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: pasted})
    shown = render_view(view)
    assert "1 of 4 rows" in shown
    assert "*Duplicates (skipped)*\n    3" in shown
    assert "Line 2: Email `ADA@example.com`: same as member 1 (Ada Lovelace)" in shown
    assert "Line 3: Phone `0032 2 555 01 02`: same as member 2 (Grace Hopper)" in shown
    assert "Line 5: Email `new3@example.com`: same as line 4" in shown
    assert {c.action_id for c in controls(view.blocks)} == {ids.IMPORT_RUN, ids.IMPORT_RUN_ALL, ids.IMPORT_CANCEL}
    searches = len(stack.sandbox.find_requests("GET", "/stats"))
    assert 3 <= searches <= 4, "one exact search per email or phone (two for a phone in another spelling)"
    stack.driver.click(view, action_id=ids.IMPORT_RUN, user=OPERATOR)
    shown = render_message(report(stack))
    assert "1 of 1" in shown
    assert "*Skipped (problems or duplicates)*\n    3" in shown
    assert [m["email"] for m in imported(stack)] == ["new3@example.com"]
    entry = stack.services.store.audit.latest(DEMO_STAMP_CARD_ID, limit=1)[0]
    assert (entry.params["rows"], entry.params["duplicates"], entry.params["duplicates_sent"]) == (1, 3, False)


def test_create_duplicates_too_imports_every_row(stack: LocalStack) -> None:
    pasted = "First name,Email\nMember1,ada@example.com\nMember2,new@example.com\nMember3,new@example.com\n"
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: pasted})
    stack.driver.click(view, action_id=ids.IMPORT_RUN_ALL, user=OPERATOR)
    assert "3 of 3" in render_message(report(stack))
    assert sorted(m["email"] for m in imported(stack)) == ["ada@example.com", "new@example.com", "new@example.com"]


def test_a_file_of_only_duplicates_offers_only_to_create_them_anyway(stack: LocalStack) -> None:
    view = preview(stack, {ids.IMPORT_TEXT_BLOCK: "First name,Email\nMember1,grace@example.com\n"})
    assert "0 of 1 row" in render_view(view)
    assert {c.action_id for c in controls(view.blocks)} == {ids.IMPORT_RUN_ALL, ids.IMPORT_CANCEL}


def test_a_big_file_is_compared_with_the_card_in_pages_not_a_search_per_row(stack: LocalStack) -> None:
    data = members_csv(300, bad={299: "ada@example.com"})
    shown = render_view(preview(stack, {ids.IMPORT_FILE_BLOCK: [("members.csv", data.encode())]}))
    assert "299 of 300 rows" in shown
    assert "same as member 1 (Ada Lovelace)" in shown
    pages = stack.sandbox.find_requests("GET", "/stats")
    assert 1 <= len(pages) <= 3, f"{len(pages)} requests: the card's members are read 500 at a time"


def test_an_api_failure_while_checking_for_members_says_so_in_the_modal_and_holds_nothing(stack: LocalStack) -> None:
    stack.sandbox.faults.fail(503, method="GET", path="/stats", times=None)
    form = open_form(stack)
    ack = stack.driver.submit(form, {ids.IMPORT_TEXT_BLOCK: "First name,Email\nMember1,new@example.com\n"},
                              user=OPERATOR)
    assert ack.response_action == "update"
    shown = stack.slack.wait_for(lambda: ((m := stack.slack.modal(OPERATOR)) and "Reading and checking" not in
                                          render_view(m) and render_view(m)) or None)
    assert "Something went wrong" in shown
    assert "not answering properly right now. Nothing was changed" in shown
    assert "Injected fault" not in shown
    assert stack.services.store.held.waiting("confirmation") == []  # no Import button to press
    assert stack.sandbox.find_requests("POST", "/stats/bulk") == []
