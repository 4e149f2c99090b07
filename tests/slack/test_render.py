"""Block Kit reads as plain text, with every control numbered in the order `controls()` lists them."""

from __future__ import annotations

from typing import Any

from localstack.slack import Ephemeral, controls, render_blocks, render_message, render_view
from tests.slack.bolt_app import ADD_MEMBER_VIEW

MEMBER: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Ada Lovelace"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "Card <https://wallet.example/7|Coffee &amp; Co>"},
     "fields": [{"type": "mrkdwn", "text": "*Stamps*\n3 of 10"}, {"type": "mrkdwn", "text": "*Rewards*\n1"}]},
    {"type": "context", "elements": [{"type": "image", "image_url": "https://x.example/a.png", "alt_text": "logo"},
                                     {"type": "mrkdwn", "text": "Asked by <@U_ADMIN>"}]},
    {"type": "divider"},
    {"type": "image", "image_url": "https://x.example/qr.png", "alt_text": "QR code"},
    {"type": "actions", "elements": [
        {"type": "button", "action_id": "stamp", "style": "primary",
         "text": {"type": "plain_text", "text": "Add stamp"}},
        {"type": "overflow", "action_id": "more", "options": [
            {"text": {"type": "plain_text", "text": "Edit"}, "value": "edit"},
            {"text": {"type": "plain_text", "text": "Void"}, "value": "void"}]},
    ]},
]


def test_a_typical_member_message_reads_as_text_with_numbered_controls() -> None:
    assert render_blocks(MEMBER) == "\n".join([
        "== Ada Lovelace ==",
        "Card Coffee & Co (https://wallet.example/7)",
        "  • *Stamps*",
        "    3 of 10",
        "  • *Rewards*",
        "    1",
        "  › [image: logo] · Asked by @U_ADMIN",
        "-" * 40,
        "[image: QR code]",
        "[1] Add stamp (primary)  …: (2) Edit  (3) Void",
    ])


def test_numbers_match_the_controls_list() -> None:
    assert [(c.action_id, c.label) for c in controls(MEMBER)] == [
        ("stamp", "Add stamp"), ("more", "Edit"), ("more", "Void")]


def test_a_modal_shows_its_title_fields_and_buttons() -> None:
    assert render_view(ADD_MEMBER_VIEW) == "\n".join([
        "[ Add a member ]",
        "Email: […]",
        "Tier: ( ) Gold  ( ) Silver",
        "CSV (optional): […]",
        "<Cancel>  <Add>",
    ])


def test_an_ephemeral_without_blocks_shows_its_text_and_who_sees_it() -> None:
    message = Ephemeral(channel="C1", user="U1", ts="1.1", text="Only <@U1> sees this")
    assert render_message(message) == "(only visible to you)\nOnly @U1 sees this"
