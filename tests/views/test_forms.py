"""The member form: what it shows, what it carries, and that Slack accepts it whatever the member holds."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.coupontools.models import MEMBER_FIELDS, Card, Member
from bot.members import PREFILL_MAX, prefill
from bot.views import ids
from bot.views.forms import FormState, FormValues, form_values, member_form_modal, member_saved_modal
from localstack.slack import render_view, validate_view
from tests.views.checks import all_mrkdwn, check_mrkdwn
from tests.views.strategies import members

CARD = Card(id=123, code="ndoh57", name="Coffee <!channel> Club", type="stamp")


def _inputs(view: dict) -> dict[str, dict]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def test_the_add_form_has_every_field_optional_with_custom_fields_under_more_fields() -> None:
    view = member_form_modal(CARD, FormState(123), {}).to_dict()
    inputs = _inputs(view)
    assert list(inputs) == [ids.member_form_block(name) for name in MEMBER_FIELDS]
    assert all(block["optional"] for block in inputs.values())
    assert "More fields" in render_view(view)
    assert render_view(view).index("More fields") < render_view(view).index("Custom 1")
    assert (view["title"]["text"], view["submit"]["text"]) == ("Add a member", "Create member")


def test_a_refused_form_keeps_the_values_and_puts_the_words_under_the_field() -> None:
    problems = {"email": "The loyalty service says: email: blocked"}
    view = member_form_modal(CARD, FormState(123), {"first_name": "Ada", "email": "ada@x.example"},
                             problems=problems, warning="Refused.").to_dict()
    email = _inputs(view)[ids.member_form_block("email")]
    assert email["element"]["initial_value"] == "ada@x.example"
    assert "email: blocked" in email["hint"]["text"]
    assert validate_view(view) == []


def test_the_form_state_round_trips_and_refuses_what_it_did_not_write() -> None:
    state = FormState(123, 7, "C0GENERAL", {"email": "0123456789abcdef"})
    assert FormState.decode(state.encode()) == state
    for bad in (None, "", "123:7", '{"card": "123"}', '{"card": 1, "shown": {"password": "ab"}}',
                '{"card": 1, "channel": "<!here>"}', '{"card": true}', "[1]"):
        assert FormState.decode(bad) is None


@given(st.text(max_size=200))
def test_decoding_any_metadata_never_raises(text: str) -> None:
    FormState.decode(text)


def test_form_values_reads_each_field_and_treats_missing_ones_as_empty() -> None:
    block = ids.member_form_block("city")
    values = form_values(FormValues(
        {"state": {"values": {block: {ids.MEMBER_FORM_INPUT: {"type": "plain_text_input", "value": "Ghent"}}}}}))
    assert values["city"] == "Ghent"
    assert values["email"] is None


@given(members())
def test_an_edit_form_of_any_member_is_accepted_by_slack_and_escapes_what_it_shows(member: Member) -> None:
    values, shown = prefill(member)
    view = member_form_modal(CARD, FormState(123, member.id or 1, None, shown), values, member=member).to_dict()
    assert validate_view(view) == []
    saved = member_saved_modal(CARD, member, changed=["email"]).to_dict()
    assert validate_view(saved) == []
    for text in all_mrkdwn(view) + all_mrkdwn(saved):
        check_mrkdwn(text, 3000)
    for block in view["blocks"]:
        if block["type"] == "input":
            assert len(block["element"].get("initial_value", "")) <= PREFILL_MAX


def test_form_values_read_each_kind_of_input_and_the_metadata() -> None:
    form = FormValues({"private_metadata": "42:C1", "state": {"values": {
        "b.text": {"a": {"type": "plain_text_input", "value": " typed "}},
        "b.select": {"a": {"type": "static_select", "selected_option": {"value": "7"}}},
        "b.checks": {"a": {"type": "checkboxes", "selected_options": [{"value": "1"}, {"value": "2"}]}},
        "b.date": {"a": {"type": "datepicker", "selected_date": "2026-02-28"}},
        "b.files": {"a": {"type": "file_input", "files": [{"id": "F1", "name": "a.csv"}]}},
    }}})
    assert form.metadata == "42:C1"
    assert form.text("b.text", "a") == " typed "
    assert form.selected("b.select", "a") == "7"
    assert form.selected_all("b.checks", "a") == ["1", "2"]
    assert form.date("b.date", "a") == date(2026, 2, 28)
    assert form.files("b.files", "a") == [{"id": "F1", "name": "a.csv"}]


def test_form_values_read_missing_or_malformed_inputs_as_empty() -> None:
    form = FormValues({"state": {"values": {"b": {"a": {"value": 3, "selected_option": "x",
                                                        "selected_options": "x", "selected_date": "31/02",
                                                        "files": {"id": "F1"}}}}}})
    for block in ("b", "missing"):
        assert form.text(block, "a") == ""
        assert form.selected(block, "a") == ""
        assert form.selected_all(block, "a") == []
        assert form.date(block, "a") is None
        assert form.files(block, "a") == []
    assert form.metadata == ""


@given(st.recursive(st.none() | st.text(max_size=5) | st.integers(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=20))
def test_reading_any_submitted_view_never_raises(view: object) -> None:
    form = FormValues({"state": {"values": view}, "private_metadata": view})
    for block, action in (("", ""), ("a", "a"), ("b", "a")):
        form.text(block, action)
        form.selected(block, action)
        form.selected_all(block, action)
        form.date(block, action)
        form.files(block, action)
