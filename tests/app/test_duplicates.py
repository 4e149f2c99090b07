"""Adding a member whose email or phone another member has: a warning, and nothing created until asked."""

from __future__ import annotations

from bot.sandbox import DEMO_STAMP_CARD_ID
from localstack.slack import render_view
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR
from tests.app.test_members import field, open_add_form, wait_form, wait_modal_saying

CARD = DEMO_STAMP_CARD_ID


def created(stack: LocalStack) -> list:
    return [request for request in stack.sandbox.find_requests("POST", f"/loyalty-cards/{CARD}/stats")
            if isinstance(request.body, dict) and "filter" not in request.body and "pagination" not in request.body]


def test_an_email_another_member_has_warns_and_creates_nothing_until_create_anyway(stack: LocalStack) -> None:
    form = open_add_form(stack)
    stack.driver.submit(form, {field("first_name"): "Ada", field("email"): "ADA@example.com"}, user=OPERATOR)
    warned = wait_modal_saying(stack, "already has this email")
    assert "Ada Lovelace (id 1) already has this email" in render_view(warned)
    assert "Create anyway" in render_view(warned)
    assert "Open Ada Lovelace" in render_view(warned)
    assert created(stack) == []
    assert stack.services.store.audit.latest() == []
    stack.driver.submit(wait_form(stack), {}, user=OPERATOR)
    wait_modal_saying(stack, "Created")
    assert len(created(stack)) == 1


def test_a_phone_in_another_spelling_is_a_duplicate_too(stack: LocalStack) -> None:
    form = open_add_form(stack)
    stack.driver.submit(form, {field("first_name"): "Ann", field("phone"): "0032 2 555 01 01"}, user=OPERATOR)
    wait_modal_saying(stack, "already has this phone")
    assert created(stack) == []


def test_a_new_email_and_phone_create_at_once(stack: LocalStack) -> None:
    form = open_add_form(stack)
    stack.driver.submit(form, {field("first_name"): "Marie", field("email"): "marie@example.com"}, user=OPERATOR)
    wait_modal_saying(stack, "Created")
    assert len(created(stack)) == 1
