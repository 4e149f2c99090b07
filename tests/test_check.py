"""`loyalty-bot check`: against the Slack stand-in, the sandbox API over HTTP and real databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.check import FAIL, NOTE, OK, WARN, Finding, manifest_scopes, run_checks
from bot.cli import main
from bot.config import Settings
from bot.sandbox import SandboxServer
from bot.store import Store
from localstack.slack import FakeSlack

BOT_TOKEN = "xoxb-check-token"
APP_TOKEN = "xapp-check-token"
API_KEY, API_SECRET = "check-key", "check-secret"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
APPROVALS = "C0APPROVALS"
PEOPLE = {"U0VERA": "vera", "U0OMAR": "omar", "U0ALICE": "alice"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as bench:
        for user_id, name in PEOPLE.items():
            bench.add_user(user_id, name)
        bench.add_usergroup("S0STAFF", ["U0VERA", "U0OMAR"])
        bench.add_channel(APPROVALS, "approvals")
        yield bench


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0) as server:
        yield server


def _settings(slack: FakeSlack, sandbox: SandboxServer, tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, **{  # type: ignore[call-arg]
        "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET, "slack_api_url": slack.api_url,
        "coupontools_api_key": API_KEY, "coupontools_api_secret": API_SECRET,
        "coupontools_base_url": sandbox.base_url, "database_url": f"sqlite:///{tmp_path / 'bot.db'}",
        "loyalty_viewers": ("S0STAFF",), "loyalty_operators": ("U0OMAR",), "loyalty_admins": ("U0ALICE",),
        "loyalty_approvals_channel": APPROVALS, **values})


def _about(findings: list[Finding], subject: str) -> list[Finding]:
    return [finding for finding in findings if finding.subject == subject]


def _only(findings: list[Finding], subject: str) -> Finding:
    [finding] = _about(findings, subject)
    return finding


def test_a_right_installation_is_all_ok_and_says_who_holds_which_role(slack, sandbox, tmp_path) -> None:
    Store.connect(f"sqlite:///{tmp_path / 'bot.db'}").close()
    findings = run_checks(_settings(slack, sandbox, tmp_path), socket_mode=False)
    assert [finding.status for finding in findings] == [OK] * len(findings), [f.line for f in findings]
    assert "T0LOYALTY" in _only(findings, "Slack").text
    assert "#approvals" in _only(findings, "LOYALTY_APPROVALS_CHANNEL").text
    assert "@s0staff (S0STAFF, a group of 2 people)" in _only(findings, "LOYALTY_VIEWERS").text
    assert "@omar (U0OMAR)" in _only(findings, "LOYALTY_OPERATORS").text
    assert "@alice (U0ALICE)" in _only(findings, "LOYALTY_ADMINS").text
    assert "Coffee Club" in _only(findings, "loyalty API").text
    assert "schema current" in _only(findings, "DATABASE_URL").text


def test_the_command_prints_one_line_per_check_never_a_secret_and_exits_0(slack, sandbox, tmp_path, monkeypatch,
                                                                           capsys) -> None:
    monkeypatch.chdir(tmp_path)
    settings = _settings(slack, sandbox, tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in settings.model_dump().items():
        if value is not None:
            raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            monkeypatch.setenv(name.upper(), ",".join(raw) if isinstance(raw, tuple) else str(raw))
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 8, out
    assert all(line.split()[0] in (OK, NOTE, WARN) for line in lines), out
    assert "does not exist yet: the first start creates it" in out  # a SQLite file not created yet is a note
    for secret in (BOT_TOKEN, SIGNING_SECRET, API_SECRET, API_KEY):
        assert secret not in out


def test_a_bad_bot_token_is_one_fatal_line_and_the_command_exits_1(slack, sandbox, tmp_path, monkeypatch,
                                                                     capsys) -> None:
    findings = run_checks(_settings(slack, sandbox, tmp_path, slack_bot_token="xoxb-revoked"), socket_mode=False)
    refused = _only(findings, "SLACK_BOT_TOKEN")
    assert (refused.status, refused.fatal) == (FAIL, True)
    assert "invalid_auth" in refused.text
    assert not _about(findings, "LOYALTY_VIEWERS")  # nothing more is asked of Slack with a token it refuses
    assert "xoxb-revoked" not in "".join(f.line for f in findings)


def test_slack_not_answering_is_fatal(sandbox, tmp_path) -> None:
    with FakeSlack(bot_token=BOT_TOKEN) as gone:
        url = gone.api_url
    findings = run_checks(_settings(gone, sandbox, tmp_path, slack_api_url=url), socket_mode=False)
    down = _only(findings, "Slack")
    assert (down.status, down.fatal) == (FAIL, True)
    assert "did not answer" in down.text


def test_a_missing_scope_is_named(sandbox, tmp_path) -> None:
    granted = tuple(scope for scope in manifest_scopes() if scope != "files:write")
    with FakeSlack(bot_token=BOT_TOKEN, scopes=granted) as slack:
        slack.add_channel(APPROVALS, "approvals")
        findings = run_checks(_settings(slack, sandbox, tmp_path, loyalty_viewers=(), loyalty_operators=(),
                                        loyalty_admins=()), socket_mode=False)
    scopes = _only(findings, "scopes")
    assert scopes.status == FAIL
    assert "missing files:write" in scopes.text
    assert not scopes.fatal


def test_the_manifest_scopes_are_read_as_a_yaml_parser_reads_them() -> None:
    manifest = Path(__file__).resolve().parents[1] / "manifest.yml"
    assert manifest_scopes(manifest) == tuple(yaml.safe_load(manifest.read_text())["oauth_config"]["scopes"]["bot"])
    assert "chat:write" in manifest_scopes(manifest)


def test_an_approvals_channel_that_does_not_exist_or_lacks_the_bot_fails(slack, sandbox, tmp_path) -> None:
    missing = run_checks(_settings(slack, sandbox, tmp_path, loyalty_approvals_channel="C0NOWHERE"),
                         socket_mode=False)
    assert _only(missing, "LOYALTY_APPROVALS_CHANNEL").status == FAIL
    assert "channel_not_found" in _only(missing, "LOYALTY_APPROVALS_CHANNEL").text
    slack.add_channel("C0OUTSIDE", "outside", bot_is_member=False)
    outside = run_checks(_settings(slack, sandbox, tmp_path, loyalty_approvals_channel="C0OUTSIDE"),
                         socket_mode=False)
    assert _only(outside, "LOYALTY_APPROVALS_CHANNEL").status == FAIL
    assert "/invite @loyalty" in _only(outside, "LOYALTY_APPROVALS_CHANNEL").text
    unset = run_checks(_settings(slack, sandbox, tmp_path, loyalty_approvals_channel=None), socket_mode=False)
    assert _only(unset, "LOYALTY_APPROVALS_CHANNEL").status == WARN


def test_role_ids_that_are_nobody_fail_and_empty_viewers_warn(slack, sandbox, tmp_path) -> None:
    findings = run_checks(_settings(slack, sandbox, tmp_path, loyalty_viewers=(),
                                    loyalty_operators=("U0OMAR", "U0GHOST", "S0NOGROUP", "C0GENERAL"),
                                    loyalty_admins=()), socket_mode=False)
    viewers = _only(findings, "LOYALTY_VIEWERS")
    assert viewers.status == WARN
    assert "everyone in the workspace can look up members' contact details" in viewers.text
    operators = {finding.status: finding.text for finding in _about(findings, "LOYALTY_OPERATORS")}
    assert "@omar (U0OMAR)" in operators[OK]
    for wrong in ("U0GHOST is not a person", "S0NOGROUP is not a user group", "C0GENERAL is neither"):
        assert wrong in operators[FAIL]
    assert _only(findings, "LOYALTY_ADMINS").status == NOTE


def test_wrong_api_credentials_are_fatal(slack, sandbox, tmp_path) -> None:
    findings = run_checks(_settings(slack, sandbox, tmp_path, coupontools_api_secret="not-the-secret"),
                          socket_mode=False)
    api = _only(findings, "loyalty API")
    assert (api.status, api.fatal) == (FAIL, True)
    assert "refused" in api.text
    assert "not-the-secret" not in api.line


def test_sandbox_mode_without_credentials_warns_that_replies_are_demo_data(slack, sandbox, tmp_path) -> None:
    findings = run_checks(_settings(slack, sandbox, tmp_path, coupontools_api_key=None, coupontools_api_secret=None,
                                    loyalty_sandbox=True), socket_mode=False)
    assert _only(findings, "loyalty API").status == WARN


def test_socket_mode_needs_an_app_token_slack_accepts(slack, sandbox, tmp_path) -> None:
    accepted = run_checks(_settings(slack, sandbox, tmp_path, slack_app_token=APP_TOKEN), socket_mode=True)
    assert _only(accepted, "SLACK_APP_TOKEN").status == OK
    refused = run_checks(_settings(slack, sandbox, tmp_path, slack_app_token="xapp-old"), socket_mode=True)
    token = _only(refused, "SLACK_APP_TOKEN")
    assert (token.status, token.fatal) == (FAIL, True)
    assert "xapp-old" not in token.line


def test_settings_errors_are_all_listed_at_once_and_exit_2(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xapp-1-secretpart")
    monkeypatch.setenv("PORT", "eighty")
    assert main(["check"]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["FAIL  settings"] * 5
    said = "\n".join(lines)
    for name in ("SLACK_BOT_TOKEN: expected a bot token", "PORT:", "SLACK_SIGNING_SECRET is not set",
                 "COUPONTOOLS_API_KEY is not set", "COUPONTOOLS_API_SECRET is not set"):
        assert name in said
    assert "secretpart" not in said
