"""Blocks and views are checked against slack-sdk's models and Slack's documented limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ButtonElement, SectionBlock

from localstack.slack import FakeSlack, SlackDriver, validate_blocks, validate_view


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, value: str = "v", label: str = "Go") -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "value": value,
            "text": {"type": "plain_text", "text": label}}


def modal(**overrides: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Add a member"},
            "blocks": [section("hello")], **overrides}


def test_well_formed_blocks_and_sdk_objects_have_no_problems() -> None:
    assert validate_blocks([section("hi"), {"type": "divider"}]) == []
    assert validate_blocks([SectionBlock(text="hi", accessory=ButtonElement(text="Go", action_id="go"))]) == []


def test_more_than_fifty_blocks_in_a_message_is_a_problem() -> None:
    assert validate_blocks([section("row")] * 51) == ["51 blocks; the limit is 50"]


def test_a_view_allows_a_hundred_blocks() -> None:
    assert validate_view(modal(blocks=[section("row")] * 100)) == []
    assert any("100" in p for p in validate_view(modal(blocks=[section("row")] * 101)))


def test_section_text_over_3000_characters_is_a_problem() -> None:
    [problem] = validate_blocks([section("x" * 3001)])
    assert problem.startswith("blocks[0] (section)")
    assert "3000" in problem


def test_section_fields_are_limited_in_count_and_length() -> None:
    fields = [{"type": "mrkdwn", "text": "f"}] * 11
    assert any("11 fields" in p for p in validate_blocks([{"type": "section", "fields": fields}]))
    long_field = [{"type": "mrkdwn", "text": "f" * 2001}]
    assert any("2000" in p for p in validate_blocks([{"type": "section", "fields": long_field}]))


def test_button_value_over_2000_characters_is_a_problem() -> None:
    problems = validate_blocks([{"type": "actions", "elements": [button("go", value="v" * 2001)]}])
    assert any("2000" in p for p in problems)


def test_ids_longer_than_255_characters_are_problems() -> None:
    assert validate_blocks([section("a", block_id="b" * 256)])
    assert validate_blocks([{"type": "actions", "elements": [button("a" * 256)]}])


def test_duplicate_block_ids_and_action_ids_in_a_block_are_problems() -> None:
    assert validate_blocks([section("a", block_id="same"), section("b", block_id="same")]) == [
        "block_id 'same' is used 2 times"]
    problems = validate_blocks([{"type": "actions", "elements": [button("go"), button("go")]}])
    assert any("action_id 'go' is used 2 times" in p for p in problems)


def test_more_than_a_hundred_options_is_a_problem() -> None:
    options = [{"text": {"type": "plain_text", "text": f"o{n}"}, "value": str(n)} for n in range(101)]
    select = {"type": "static_select", "action_id": "pick", "options": options,
              "placeholder": {"type": "plain_text", "text": "Pick"}}
    assert any("101 options" in p for p in validate_blocks([section("a", accessory=select)]))


def test_unknown_block_types_are_problems() -> None:
    assert validate_blocks([{"type": "bogus"}]) == ["blocks[0] (bogus): unknown block type 'bogus'"]
    assert validate_blocks([{"type": "actions", "elements": [{"type": "bogus", "action_id": "a"}]}])


def test_blocks_missing_required_parts_are_problems() -> None:
    assert validate_blocks([{"type": "header"}])
    assert validate_blocks([{"type": "section"}]) == ["blocks[0] (section): a section needs text or fields"]


def test_modal_title_over_24_characters_is_a_problem() -> None:
    problems = validate_view(modal(title={"type": "plain_text", "text": "x" * 25}))
    assert any("24" in p for p in problems)


def test_private_metadata_over_3000_characters_is_a_problem() -> None:
    assert any("private_metadata" in p for p in validate_view(modal(private_metadata="m" * 3001)))


def test_a_modal_with_inputs_needs_a_submit_button() -> None:
    field = {"type": "input", "label": {"type": "plain_text", "text": "Email"},
             "element": {"type": "plain_text_input", "action_id": "email"}}
    assert "view: a modal with input blocks needs a submit button" in validate_view(modal(blocks=[field]))


def test_the_apps_invalid_blocks_are_recorded_and_refused_like_slack(bench: FakeSlack, driver: SlackDriver) -> None:
    driver.command("too-many-blocks", user="U_ADMIN")
    assert bench.wait_for_ephemeral("U_ADMIN").text == "Slack said invalid_blocks"
    driver.command("too-long", user="U_ADMIN")
    assert bench.wait_for_ephemeral("U_ADMIN").text == "Slack said invalid_blocks"

    assert [v.method for v in bench.violations] == ["chat.postMessage", "chat.postMessage"]
    assert bench.violations[0].problems == ["51 blocks; the limit is 50"]
    assert "3000" in bench.violations[1].problems[0]
    assert bench.messages("C0GENERAL") == []
