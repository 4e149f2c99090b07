"""One error path: a failure in a listener and one in background work reach the user the same way."""

from __future__ import annotations

import re
from typing import Any

import pytest

import bot.members
import handlers.base
from bot.lookup import LookupProblem
from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import View, render_message, render_view
from localstack.stack import LocalStack
from tests.app.helpers import OPERATOR, VIEWER

CARD = DEMO_STAMP_CARD_ID
SECRET = "xoxb-secret-token-in-an-error"


def _broken(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(f"something broke near {SECRET}")


def _member_form(stack: LocalStack) -> View:
    stack.driver.command(f"add {CARD}", user=OPERATOR)
    return stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(OPERATOR)) and m.callback_id == ids.MEMBER_FORM_VIEW and m) or None,
        what="the member form")


def _modal_saying(stack: LocalStack, words: str) -> str:
    return render_view(stack.slack.wait_for(
        lambda: ((m := stack.slack.modal(OPERATOR)) and words in render_view(m) and m) or None,
        what=f"a modal saying {words!r}"))


def _without_reference(shown: str) -> str:
    return re.sub(r"reference `[^`]+`", "reference `…`", shown)


def _creates(stack: LocalStack) -> list[Any]:
    return stack.sandbox.find_requests("POST", f"/loyalty-cards/{CARD}/stats")


def test_a_modal_submission_whose_listener_fails_gets_an_error_modal_and_http_200(
        stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    form = _member_form(stack)
    monkeypatch.setattr(bot.members, "problems", _broken)  # the form is checked in the listener, before the ack
    ack = stack.driver.submit(form, {ids.member_form_block("first_name"): "Marie"}, user=OPERATOR)
    assert ack.status == 200
    assert ack.response_action == "update"
    shown = render_view(stack.slack.modal(OPERATOR))  # type: ignore[arg-type]
    assert "[ Something went wrong ]" in shown
    assert "Something went wrong on our side" in shown
    assert "reference `" in shown
    assert SECRET not in shown
    assert "Traceback" not in shown
    assert _creates(stack) == []


def test_a_failing_submission_and_failing_background_work_show_the_same_error_modal(
        stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    form = _member_form(stack)
    with monkeypatch.context() as patch:
        patch.setattr(bot.members, "problems", _broken)
        stack.driver.submit(form, {ids.member_form_block("first_name"): "Marie"}, user=OPERATOR)
    in_listener = render_view(stack.slack.modal(OPERATOR))  # type: ignore[arg-type]

    form = _member_form(stack)
    monkeypatch.setattr(stack.services.lookup, "card", _broken)  # saving reads the card in the worker
    ack = stack.driver.submit(form, {ids.member_form_block("first_name"): "Marie"}, user=OPERATOR)
    assert ack.response_action == "update"  # the form was fine: "Saving…", then the failure
    in_worker = _modal_saying(stack, "Something went wrong on our side")

    assert _without_reference(in_worker) == _without_reference(in_listener)
    assert SECRET not in in_worker
    assert _creates(stack) == []


def test_a_user_error_in_a_listener_answers_200_and_reads_like_the_same_error_in_background_work(
        stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    assert stack.driver.command("member no-such-card 1", user=VIEWER).status == 200
    in_worker = render_message(stack.driver.wait_reply(VIEWER))
    assert "I can't find a loyalty card `no-such-card`" in in_worker

    with pytest.raises(LookupProblem) as problem:
        stack.services.lookup.card("no-such-card")

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise problem.value

    monkeypatch.setattr(handlers.base, "parse", refuse)  # the command is parsed in the listener, before the ack
    ack = stack.driver.command(f"member {CARD} {DEMO_ADA_ID}", user=VIEWER)
    assert ack.status == 200
    assert render_message(stack.driver.wait_reply(VIEWER)) == in_worker


def test_an_unexpected_failure_before_the_ack_is_still_told_in_words(
        stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers.base, "parse", _broken)
    ack = stack.driver.command(f"member {CARD} {DEMO_ADA_ID}", user=VIEWER)
    assert ack.status == 500  # nothing was acknowledged; only errors meant for the user are answered with 200
    shown = render_message(stack.driver.wait_reply(VIEWER))
    assert ":warning:" in shown
    assert "reference `" in shown
    assert SECRET not in shown
