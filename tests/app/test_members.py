"""Adding and editing members end to end: the form, its checks, what reaches the API, and the audit log."""

from __future__ import annotations

import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from bot.views.forms import FormState, member_form_modal
from localstack.slack import View, render_message, render_view
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER

CARD = DEMO_STAMP_CARD_ID


def field(name: str) -> str:
    return ids.member_form_block(name)


def wait_form(stack: LocalStack, user: str = OPERATOR) -> View:
    return stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(user)) and m.callback_id == ids.MEMBER_FORM_VIEW and m) or None,
        what="the member form")


def wait_modal_saying(stack: LocalStack, words: str, user: str = OPERATOR) -> View:
    return stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(user)) and words in render_view(m) and m) or None,
        what=f"a modal saying {words!r}")


def open_add_form(stack: LocalStack, user: str = OPERATOR) -> View:
    stack.driver.command(f"add {CARD}", user=user)
    return wait_form(stack, user)


def creates(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("POST", f"/loyalty-cards/{CARD}/stats")


def updates(stack: LocalStack) -> list:
    return stack.sandbox.find_requests("POST", f"/stats/{DEMO_ADA_ID}")


def test_add_creates_the_member_and_shows_its_card_with_the_wallet_link(stack: LocalStack) -> None:
    form = open_add_form(stack)
    stack.driver.submit(form, {field("first_name"): "  Marie ", field("last_name"): "Curie",
                               field("email"): "marie@example.com", field("custom_3"): "Tea"}, user=OPERATOR)
    card = stack.slack.wait_for_ephemeral(OPERATOR)
    shown = render_message(card)
    assert "Marie Curie" in shown
    assert "Open the wallet card" in shown
    [request] = creates(stack)
    assert request.body == {"first_name": "Marie", "last_name": "Curie", "email": "marie@example.com",
                            "custom_3": "Tea"}
    assert "Created" in render_view(wait_modal_saying(stack, "Created"))
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome, entry.card_id) == ("member.create", "ok", CARD)
    assert entry.params == {"fields": ["custom_3", "email", "first_name", "last_name"]}
    created = [m for m in stack.sandbox.state.members.values() if m.get("email") == "marie@example.com"]
    assert entry.member_ids == (created[0]["id"],)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("email", "marie.example.com", "email address"),
    ("phone", "call me maybe", "phone number"),
    ("phone", "+32 12", "6 to 20 digits"),
    ("first_name", "M" * 101, "At most 100 characters"),
    ("address", "A" * 256, "At most 255 characters"),
])
def test_bad_values_are_refused_on_their_own_field_and_nothing_is_sent(
        stack: LocalStack, name: str, value: str, words: str) -> None:
    form = open_add_form(stack)
    values = {field("last_name"): "Curie", field(name): value}
    ack = stack.driver.submit(form, values, user=OPERATOR)
    assert list(ack.errors) == [field(name)]
    assert words in ack.errors[field(name)]
    assert creates(stack) == []
    assert stack.slack.modal(OPERATOR).callback_id == ids.MEMBER_FORM_VIEW  # still open, still filled


def test_a_member_needs_a_name_an_email_or_a_phone(stack: LocalStack) -> None:
    form = open_add_form(stack)
    ack = stack.driver.submit(form, {field("city"): "Paris"}, user=OPERATOR)
    assert list(ack.errors) == [field("first_name")]
    assert creates(stack) == []


def test_the_api_refusing_a_value_shows_its_message_on_that_field_and_keeps_what_was_typed(
        stack: LocalStack) -> None:
    refusal = {"status": {"status": "failed",
                          "errors": {"error_code": 302, "error_message": "email: this domain is not accepted"}}}
    stack.sandbox.faults.fail(422, body=refusal, path=f"/loyalty-cards/{CARD}/stats", method="POST")
    form = open_add_form(stack)
    stack.driver.submit(form, {field("first_name"): "Marie", field("email"): "marie@blocked.example"},
                        user=OPERATOR)
    again = wait_modal_saying(stack, "this domain is not accepted")
    assert again.callback_id == ids.MEMBER_FORM_VIEW
    email = next(block for block in again.blocks if block.get("block_id") == field("email"))
    assert "this domain is not accepted" in email["hint"]["text"]
    first = next(block for block in again.blocks if block.get("block_id") == field("first_name"))
    assert first["element"]["initial_value"] == "Marie"
    assert email["element"]["initial_value"] == "marie@blocked.example"
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome) == ("member.create", "failed")
    # Fixed and sent again from the same form, it goes through.
    stack.driver.submit(again, {field("email"): "marie@example.com"}, user=OPERATOR)
    wait_modal_saying(stack, "Created")
    assert [request.body.get("email") for request in creates(stack)] == ["marie@blocked.example",
                                                                         "marie@example.com"]


def test_a_viewer_is_refused_at_the_add_command_and_nothing_is_sent(stack: LocalStack) -> None:
    stack.driver.command(f"add {CARD}", user=VIEWER)
    refused = wait_modal_saying(stack, "operator role", user=VIEWER)
    assert refused.callback_id != ids.MEMBER_FORM_VIEW
    assert creates(stack) == []


def test_a_viewer_submitting_a_member_form_is_refused_and_nothing_is_sent(stack: LocalStack) -> None:
    # A form that reached a viewer somehow (forwarded, or their role was taken away while it was open).
    forged = member_form_modal(stack.services.lookup.card(str(CARD)), FormState(CARD, None, "C0GENERAL"), {})
    stack.services.slack.views_open(trigger_id=stack.slack.issue_trigger(VIEWER), view=forged)
    form = wait_form(stack, VIEWER)
    stack.driver.submit(form, {field("first_name"): "Sneaky"}, user=VIEWER)
    wait_modal_saying(stack, "operator role", user=VIEWER)
    assert creates(stack) == []
    assert stack.services.store.audit.latest() == []


def open_edit_form(stack: LocalStack) -> View:
    stack.driver.command(f"edit {CARD} {DEMO_ADA_ID}", user=OPERATOR)
    return wait_form(stack)


def test_edit_is_prefilled_and_sends_only_the_changed_field(stack: LocalStack) -> None:
    form = open_edit_form(stack)
    email = next(block for block in form.blocks if block.get("block_id") == field("email"))
    assert email["element"]["initial_value"] == "ada@example.com"
    stack.driver.submit(form, {field("phone"): "+32 2 555 99 99"}, user=OPERATOR)
    wait_modal_saying(stack, "changed Phone")
    [request] = updates(stack)
    assert request.body == {"phone": "+3225559999"}  # stored as E.164
    assert stack.sandbox.state.members[DEMO_ADA_ID]["phone"] == "+3225559999"
    assert "+3225559999" in render_message(stack.slack.wait_for_ephemeral(OPERATOR))
    [entry] = stack.services.store.audit.latest()
    assert (entry.action, entry.outcome, entry.member_ids, entry.params) == (
        "member.update", "ok", (DEMO_ADA_ID,), {"fields": ["phone"]})


def test_edit_without_changes_says_so_and_sends_nothing(stack: LocalStack) -> None:
    form = open_edit_form(stack)
    ack = stack.driver.submit(form, {field("first_name"): " Ada "}, user=OPERATOR)  # spaces are not a change
    assert ack.response_action == "update"
    assert "No changes" in render_view(stack.slack.modal(OPERATOR))
    assert updates(stack) == []
    assert stack.services.store.audit.latest() == []


def test_emptying_a_field_sends_an_empty_string_which_removes_it(stack: LocalStack) -> None:
    form = open_edit_form(stack)
    stack.driver.submit(form, {field("custom_1"): ""}, user=OPERATOR)
    wait_modal_saying(stack, "changed Custom 1")
    assert [request.body for request in updates(stack)] == [{"custom_1": ""}]
    assert "custom_1" not in stack.sandbox.state.members[DEMO_ADA_ID]


def test_edit_checks_only_the_fields_it_changes(stack: LocalStack) -> None:
    stack.sandbox.state.members[DEMO_ADA_ID]["phone"] = "ask at the desk"  # imported long ago, not a number
    form = open_edit_form(stack)
    stack.driver.submit(form, {field("city"): "Ghent"}, user=OPERATOR)
    wait_modal_saying(stack, "changed City")
    assert [request.body for request in updates(stack)] == [{"city": "Ghent"}]


def test_edit_button_opens_the_form_for_operators_and_refuses_viewers(stack: LocalStack) -> None:
    stack.driver.command(f"member {CARD} {DEMO_ADA_ID}", user=VIEWER)
    assert "Edit" not in render_message(stack.driver.wait_reply(VIEWER))  # viewers are not shown the button
    stack.driver.command(f"member {CARD} {DEMO_ADA_ID}", user=OPERATOR)
    card = stack.driver.wait_reply(OPERATOR)
    stack.driver.click(card, action_id=ids.MEMBER_EDIT, user=VIEWER)  # still checked at the click
    wait_modal_saying(stack, "operator role", user=VIEWER)
    stack.driver.click(card, action_id=ids.MEMBER_EDIT, user=OPERATOR)
    form = wait_form(stack)
    assert FormState.decode(form.private_metadata).member_id == DEMO_ADA_ID
    assert "ada@example.com" not in form.private_metadata  # fingerprints of the values, not the values


def test_every_change_leaves_one_audit_row(stack: LocalStack) -> None:
    form = open_add_form(stack)
    stack.driver.submit(form, {field("first_name"): "Marie"}, user=OPERATOR)
    wait_modal_saying(stack, "Created")
    form = open_edit_form(stack)
    stack.driver.submit(form, {field("zip"): "1050"}, user=OPERATOR)
    wait_modal_saying(stack, "changed Zip code")
    entries = stack.services.store.audit.latest()
    assert [(entry.action, entry.outcome) for entry in entries] == [("member.update", "ok"), ("member.create", "ok")]
