"""manifest.yml is valid for Slack and asks for exactly the scopes the code uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.views import ids

ROOT = Path(__file__).resolve().parents[1]
# Slack's published manifest schema, kept beside the tests with its licence so the check needs no network.
SCHEMA = ROOT / "tests" / "data" / "slack" / "manifest.schema.1.0.0.json"

# Web API methods (as slack-sdk names them) and the bot scope each needs.
SCOPE_OF = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "usergroups_users_list": "usergroups:read",
    "users_info": "users:read",
    "files_upload_v2": "files:write",
    "files_info": "files:read",
    "conversations_info": "channels:read",
}
# Scopes a method needs for private channels too (conversations.info on a private approvals channel).
ALSO_PRIVATE = {"channels:read": "groups:read"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_published_schema(manifest: dict) -> None:
    if not SCHEMA.exists():
        pytest.fail(f"Slack's manifest schema is missing at {SCHEMA}")
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_manifest_declares_the_command_shortcut_and_urls_the_app_serves(manifest: dict) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/loyalty"]
    assert commands[0]["usage_hint"]
    assert [s["callback_id"] for s in manifest["features"]["shortcuts"]] == [ids.LOOKUP_SHORTCUT]
    urls = {commands[0]["url"], manifest["settings"]["interactivity"]["request_url"],
            manifest["settings"]["event_subscriptions"]["request_url"]}
    assert all(url.endswith("/slack/events") for url in urls)
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_bot_scopes_are_exactly_those_the_code_uses(manifest: dict) -> None:
    files = [p for folder in ("bot", "handlers") for p in (ROOT / folder).rglob("*.py")
             if "sandbox" not in p.parts]
    source = "\n".join(p.read_text() for p in files)
    used = {scope for method, scope in SCOPE_OF.items() if re.search(rf"\b{method}\(", source)}
    used |= {ALSO_PRIVATE[scope] for scope in used if scope in ALSO_PRIVATE}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"commands", *used}
