"""`loyalty-bot check`: whether the tokens, scopes, approvals channel, roles, loyalty API and database are right.

Each check answers in findings, one line each (ok / note / warn / FAIL), worded for the person installing the app.
Nothing here changes anything, and no finding ever holds a token, the API secret or a database password.
`serve` runs the same checks at start; a fatal finding stops it.
"""

from __future__ import annotations

import re
import urllib.error
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.config import Settings
from bot.coupontools.client import LoyaltyClient
from bot.coupontools.errors import BadCredentials, CoupontoolsError
from bot.store.db import Database, create_store_engine, normalise_url, safe_url, schema_status

OK, NOTE, WARN, FAIL = "ok", "note", "warn", "FAIL"

MANIFEST = "manifest.yml"
_SLACK_DOWN = (urllib.error.URLError, OSError, TimeoutError)


@dataclass(frozen=True)
class Finding:
    """One line of the report; `fatal` findings stop `serve` from starting."""

    status: str
    subject: str
    text: str
    fatal: bool = False

    @property
    def line(self) -> str:
        return f"{self.status:<4}  {self.subject}: {self.text}"


def _fail(subject: str, text: str, *, fatal: bool = False) -> Finding:
    return Finding(FAIL, subject, text, fatal=fatal)


def run_checks(settings: Settings, *, socket_mode: bool) -> list[Finding]:
    """Every check, in the order an installer fixes things: Slack, the channel and roles, the API, the database."""
    slack = WebClient(token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None,
                      base_url=settings.slack_api_url, timeout=10)
    findings = check_slack(slack)
    if all(finding.status != FAIL for finding in findings):  # with no working token the rest would only repeat it
        findings += check_approvals_channel(settings, slack)
        findings += check_roles(settings, slack)
    if socket_mode:
        findings += check_socket_mode(settings)
    findings += check_loyalty_api(settings)
    findings += check_database(settings)
    return findings


def failed(findings: Iterable[Finding]) -> bool:
    """Whether any check failed (`loyalty-bot check` then exits non-zero)."""
    return any(finding.status == FAIL for finding in findings)


# -- Slack ----------------------------------------------------------------------------------------------------------


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "an error")
    return f"Slack did not answer ({type(exc).__name__})"


def check_slack(slack: WebClient) -> list[Finding]:
    """The bot token works (auth.test), and it was granted every bot scope manifest.yml asks for."""
    try:
        answer = slack.auth_test()
    except SlackApiError as exc:
        hint = " (reinstall the app and copy the Bot User OAuth Token)" if _slack_error(exc) == "invalid_auth" else ""
        return [_fail("SLACK_BOT_TOKEN", f"Slack refused it: {_slack_error(exc)}{hint}", fatal=True)]
    except _SLACK_DOWN as exc:
        return [_fail("Slack", f"{_slack_error(exc)} at {slack.base_url}", fatal=True)]
    who = f"connected to {answer.get('team')} ({answer.get('team_id')}) as @{answer.get('user')}"
    findings = [Finding(OK, "Slack", f"{who} ({answer.get('user_id')})")]
    headers = {name.lower(): value for name, value in (answer.headers or {}).items()}
    granted = {scope.strip() for scope in str(headers.get("x-oauth-scopes", "")).split(",") if scope.strip()}
    wanted = manifest_scopes()
    if not wanted:
        findings.append(Finding(NOTE, "scopes", f"{MANIFEST} not found: granted {', '.join(sorted(granted))}"))
    elif missing := sorted(set(wanted) - granted):
        findings.append(_fail("scopes", f"missing {', '.join(missing)}: add them under OAuth & Permissions "
                                        "(or from manifest.yml) and reinstall the app"))
    else:
        findings.append(Finding(OK, "scopes", f"every scope of {MANIFEST} is granted"))
    return findings


def manifest_scopes(path: Path | None = None) -> tuple[str, ...]:
    """The bot scopes manifest.yml asks for (empty when the file is not there)."""
    candidates = [path] if path else [Path.cwd() / MANIFEST, Path(__file__).resolve().parents[1] / MANIFEST]
    for candidate in candidates:
        if candidate.is_file():
            return _bot_scopes(candidate.read_text(encoding="utf-8"))
    return ()


def _bot_scopes(manifest: str) -> tuple[str, ...]:
    """The list under oauth_config → scopes → bot, read without a YAML library (the runtime has none)."""
    scopes: list[str] = []
    path: list[tuple[int, str]] = []
    for raw in manifest.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        item = re.fullmatch(r"\s*-\s*(\S+)", line)
        if item and [key for _, key in path][-3:] == ["oauth_config", "scopes", "bot"]:
            scopes.append(item.group(1))
            continue
        key = re.fullmatch(r"\s*([\w-]+):.*", line)
        if key:
            path = [(level, name) for level, name in path if level < indent] + [(indent, key.group(1))]
    return tuple(scopes)


def check_approvals_channel(settings: Settings, slack: WebClient) -> list[Finding]:
    """The approvals channel exists and the bot is in it (else approval requests cannot be posted)."""
    subject, channel = "LOYALTY_APPROVALS_CHANNEL", settings.loyalty_approvals_channel
    if channel is None:
        return [Finding(WARN, subject, "not set: pushes to every member are refused until it is")]
    try:
        info: dict[str, Any] = slack.conversations_info(channel=channel)["channel"]
    except (SlackApiError, *_SLACK_DOWN) as exc:
        hint = ("; a private channel is only visible once the bot is invited"
                if _slack_error(exc) == "channel_not_found" else "")
        return [_fail(subject, f"{channel}: {_slack_error(exc)}{hint}")]
    name = f"#{info.get('name')} ({channel})"
    if not info.get("is_member"):
        return [_fail(subject, f"{name}: the bot is not a member: type /invite @loyalty in that channel")]
    return [Finding(OK, subject, f"{name}: the bot is a member")]


ROLES = (("loyalty_viewers", "look up members"), ("loyalty_operators", "change members or ask for pushes"),
         ("loyalty_admins", "void, delete, approve pushes or read the audit log"))


def check_roles(settings: Settings, slack: WebClient) -> list[Finding]:
    """Each role id is a person (U…/W…) or a user group (S…) of the workspace; who holds which role."""
    groups: dict[str, dict[str, Any]] | None = None
    findings = []
    for field, can in ROLES:
        subject, entries = field.upper(), getattr(settings, field)
        if not entries:
            if field == "loyalty_viewers":
                findings.append(Finding(WARN, subject, "empty: everyone in the workspace can look up members' "
                                                        "contact details"))
            else:
                findings.append(Finding(NOTE, subject, f"empty: nobody can {can}"))
            continue
        holders: list[str] = []
        problems: list[str] = []
        for entry in entries:
            if entry[:1] == "S" and groups is None:
                groups = _usergroups(slack)
            found, said = _role_holder(entry, slack, groups or {})
            (holders if found else problems).append(said)
        if problems:
            findings.append(_fail(subject, "; ".join(problems)))
        if holders:
            findings.append(Finding(OK, subject, ", ".join(holders)))
    return findings


def _usergroups(slack: WebClient) -> dict[str, dict[str, Any]]:
    try:
        answer = slack.usergroups_list(include_users=True, include_disabled=True)
    except (SlackApiError, *_SLACK_DOWN):
        return {}
    return {str(group.get("id")): group for group in answer.get("usergroups") or []}


def _role_holder(entry: str, slack: WebClient, groups: dict[str, dict[str, Any]]) -> tuple[bool, str]:
    """Whether `entry` is a person or group of the workspace, and `@name (id)` or why not."""
    if entry[:1] in ("U", "W"):
        try:
            user = slack.users_info(user=entry)["user"]
        except (SlackApiError, *_SLACK_DOWN) as exc:
            return False, f"{entry} is not a person of this workspace ({_slack_error(exc)})"
        if user.get("deleted"):
            return False, f"{entry} (@{user.get('name')}) is deactivated"
        return True, f"@{user.get('name')} ({entry})"
    if entry[:1] == "S":
        group = groups.get(entry)
        if group is None:
            return False, f"{entry} is not a user group of this workspace (or the usergroups:read scope is missing)"
        people = len(group.get("users") or [])
        return True, f"@{group.get('handle')} ({entry}, a group of {people} {'person' if people == 1 else 'people'})"
    return False, f"{entry} is neither a person (U…) nor a user group (S…): copy the id from the profile's ⋮ menu"


def check_socket_mode(settings: Settings) -> list[Finding]:
    """The app-level token opens a Socket Mode connection (apps.connections.open)."""
    token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    slack = WebClient(token=token, base_url=settings.slack_api_url, timeout=10)
    try:
        slack.apps_connections_open(app_token=token or "")
    except (SlackApiError, *_SLACK_DOWN) as exc:
        return [_fail("SLACK_APP_TOKEN", f"Slack refused a Socket Mode connection: {_slack_error(exc)} (an "
                                         "app-level token needs the connections:write scope)", fatal=True)]
    return [Finding(OK, "SLACK_APP_TOKEN", "Socket Mode connections open")]


# -- the loyalty API and the database -------------------------------------------------------------------------------


def check_loyalty_api(settings: Settings, *, connect: Callable[..., LoyaltyClient] = LoyaltyClient) -> list[Finding]:
    """The API key and secret work: the cards can be listed."""
    subject = "loyalty API"
    if not settings.has_coupontools_credentials:
        if settings.loyalty_sandbox:
            return [Finding(WARN, subject, "sandbox mode: every reply comes from demo data, not your programmes")]
        return [_fail(subject, "COUPONTOOLS_API_KEY and COUPONTOOLS_API_SECRET are needed", fatal=True)]
    key, secret = settings.coupontools_api_key, settings.coupontools_api_secret
    try:
        with connect(settings.coupontools_base_url, key.get_secret_value(),  # type: ignore[union-attr]
                     secret.get_secret_value(), retry_budget=5.0, max_attempts=2) as client:  # type: ignore[union-attr]
            cards = client.list_cards()
    except BadCredentials:
        return [_fail(subject, "the API refused COUPONTOOLS_API_KEY/COUPONTOOLS_API_SECRET: copy them again from "
                               "the Coupontools dashboard (Settings → API)", fatal=True)]
    except CoupontoolsError as exc:
        return [_fail(subject, f"{settings.coupontools_base_url}: {exc.message}")]
    names = ", ".join(card.name or str(card.id) for card in cards[:5]) + ("…" if len(cards) > 5 else "")
    mode = " (sandbox mode: demo data)" if settings.loyalty_sandbox else ""
    return [Finding(OK, subject, f"{len(cards)} card{'' if len(cards) == 1 else 's'}{mode}: {names or 'none yet'}")]


def check_database(settings: Settings) -> list[Finding]:
    """The database answers and its schema is this release's (a SQLite file not created yet is fine)."""
    subject = "DATABASE_URL"
    try:
        url = normalise_url(settings.database_url)
    except ArgumentError:  # its message repeats the URL, password and all
        return [_fail(subject, "not a database URL: expected sqlite:///path or postgresql://user:password@host/db",
                      fatal=True)]
    except ValueError as exc:
        return [_fail(subject, str(exc), fatal=True)]
    shown = safe_url(url)
    if url.get_backend_name() == "sqlite" and not Path(str(url.database)).exists():
        return [Finding(NOTE, subject, f"{shown} does not exist yet: the first start creates it")]
    engine = create_store_engine(url)
    try:
        status = schema_status(Database(engine))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        return [_fail(subject, f"cannot open {shown}: {reason}", fatal=True)]
    finally:
        engine.dispose()
    answers = {
        "current": Finding(OK, subject, f"{shown}: reachable, schema current"),
        "empty": Finding(NOTE, subject, f"{shown}: reachable, no tables yet: the first start creates them"),
        "behind": Finding(NOTE, subject, f"{shown}: reachable, schema older than this release: the next start "
                                         "upgrades it"),
        "unknown": _fail(subject, f"{shown}: a newer release migrated this database: run the newest release",
                         fatal=True),
    }
    return [answers[status]]
