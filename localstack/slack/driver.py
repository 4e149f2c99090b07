"""SlackDriver: plays Slack (and the person at the keyboard) toward the app, with signed requests."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

import httpx

from localstack.slack.elements import Control
from localstack.slack.methods import stamp_ids
from localstack.slack.payloads import UNSET, action_payload, element_state, find_control, submission_values
from localstack.slack.protocol import ApiError
from localstack.slack.server import DEFAULT_CHANNEL, FakeSlack
from localstack.slack.state import Ephemeral, File, Message, View
from localstack.slack.validation import validate_view

Signature = Literal["valid", "bad", "stale", "missing"]
"""How to sign a request: correctly, with the wrong secret, five minutes too late, or not at all."""

STALE_SECONDS = 600


@dataclass(frozen=True)
class Ack:
    """The app's HTTP answer to one request from Slack."""

    status: int
    body: str
    headers: dict[str, str] = field(repr=False)
    latency: float
    since: int = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None

    @property
    def response_action(self) -> str | None:
        body = self.json
        return body.get("response_action") if isinstance(body, dict) else None

    @property
    def errors(self) -> dict[str, str]:
        """Field errors of a `response_action: errors` ack, by block_id."""
        body = self.json
        return dict(body.get("errors") or {}) if self.response_action == "errors" else {}


class SlackDriver:
    """Sends the app what Slack would: slash commands, clicks, submissions, shortcuts and events.

    Each call returns the app's `Ack`; replies the app posts afterwards land in the bench, where
    `wait_reply` (or `bench.wait_for_…`) finds them.
    """

    def __init__(self, bench: FakeSlack, app_url: str, signing_secret: str, *, timeout: float = 10.0) -> None:
        self.bench = bench
        self.app_url = app_url
        self._secret = signing_secret
        self._http = httpx.Client(timeout=timeout)
        self.verification_token = secrets.token_hex(12)  # deprecated by Slack, still sent; apps ignore it

    def close_connection(self) -> None:
        """Release the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> SlackDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_connection()

    # -- what every request shares ------------------------------------------------------------------

    def _sign(self, body: str, signature: Signature) -> dict[str, str]:
        if signature == "missing":
            return {}
        timestamp = int(time.time()) - (STALE_SECONDS if signature == "stale" else 0)
        secret = self._secret if signature != "bad" else self._secret + "-wrong"
        digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}

    def send(self, body: str, content_type: str, *, signature: Signature = "valid") -> Ack:
        """POST a raw body to the app's events URL, signed as asked."""
        headers = {"Content-Type": content_type, **self._sign(body, signature)}
        since = self.bench.mark()
        started = time.perf_counter()
        response = self._http.post(self.app_url, content=body.encode(), headers=headers)
        latency = time.perf_counter() - started
        return Ack(response.status_code, response.text, dict(response.headers), latency, since)

    def _send_payload(self, payload: dict[str, Any], signature: Signature) -> Ack:
        body = urlencode({"payload": json.dumps(payload)})
        return self.send(body, "application/x-www-form-urlencoded", signature=signature)

    def _user(self, user: str) -> dict[str, Any]:
        known = self.bench.user(user)
        name = known.name if known else user.lower()
        return {"id": user, "username": name, "name": name, "team_id": known.team_id if known else self._team}

    @property
    def _team(self) -> str:
        return self.bench.config.team_id

    def _interaction(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind, "user": self._user(user), "api_app_id": self.bench.config.app_id,
            "token": self.verification_token, "trigger_id": self.bench.issue_trigger(user),
            "team": {"id": self._team, "domain": self.bench.config.team_domain},
            "enterprise": None, "is_enterprise_install": False,
        }

    def _view_api(self, view: View) -> dict[str, Any]:
        c = self.bench.config
        with self.bench.workspace.lock:
            return view.to_api(c.team_id, c.app_id, c.bot_id)

    # -- slash commands, shortcuts, events -------------------------------------------------------------

    def command(self, text: str = "", *, user: str, channel: str = DEFAULT_CHANNEL, command: str = "/loyalty",
                signature: Signature = "valid") -> Ack:
        """Type `command text` in `channel`; an ack body is shown to the user as Slack would."""
        known = self.bench.user(user)
        response_url = self.bench.issue_response_url(user, channel)
        form = {
            "token": self.verification_token, "team_id": self._team,
            "team_domain": self.bench.config.team_domain, "channel_id": channel,
            "channel_name": self.bench.channel_name(channel), "user_id": user,
            "user_name": known.name if known else user.lower(), "command": command, "text": text,
            "api_app_id": self.bench.config.app_id, "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": self.bench.issue_trigger(user),
        }
        ack = self.send(urlencode(form), "application/x-www-form-urlencoded", signature=signature)
        # Slack shows a command's ack body (JSON, or plain text) to the user like a response_url reply
        body = ack.json if ack.json is not None else {"text": ack.body} if ack.body.strip() else None
        if ack.ok and isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            # invalid blocks: Slack shows the user an error, and the violation is already recorded
            with contextlib.suppress(ApiError):
                self.bench.respond(response_url, body)
        return ack

    def shortcut(self, callback_id: str, *, user: str, signature: Signature = "valid") -> Ack:
        """Run a global shortcut."""
        payload = {**self._interaction("shortcut", user), "callback_id": callback_id,
                   "action_ts": f"{time.time():.6f}"}
        return self._send_payload(payload, signature)

    def event(self, event: dict[str, Any], *, signature: Signature = "valid") -> Ack:
        """Deliver an Events API `event_callback` wrapping `event`."""
        now = time.time()
        envelope = {
            "token": self.verification_token, "team_id": self._team, "api_app_id": self.bench.config.app_id,
            "event": {"event_ts": f"{now:.6f}", **event}, "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}", "event_time": int(now),
            "authorizations": [{"enterprise_id": None, "team_id": self._team, "is_bot": True,
                                "user_id": self.bench.config.bot_user_id, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        return self.send(json.dumps(envelope), "application/json", signature=signature)

    def app_home_opened(self, *, user: str, tab: str = "home", signature: Signature = "valid") -> Ack:
        """The user opens the app's Home tab."""
        event: dict[str, Any] = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": tab}
        home = self.bench.home(user)
        if home is not None:
            event["view"] = self._view_api(home)
        return self.event(event, signature=signature)

    # -- clicks ---------------------------------------------------------------------------------------

    def click(self, target: Message | Ephemeral | View, action_id: str | None = None, *, user: str,
              text: str | None = None, value: str | None = None, block_id: str | None = None,
              choice: Control | None = None, selected: Any = UNSET, signature: Signature = "valid") -> Ack:
        """Operate a control in a message, ephemeral, modal or App Home (block_actions).

        Name it by `action_id`, its `text` (a button's label or a menu option's), `value`, `block_id`,
        or pass a `Control` from `elements.controls`. Picking a menu option selects it; `selected`
        overrides the selection (a list for multi-selects and checkboxes, an id for user pickers).
        """
        control = choice or find_control(target.blocks, action_id=action_id, text=text, value=value,
                                         block_id=block_id)
        payload = {**self._interaction("block_actions", user), "actions": [action_payload(control, selected)]}
        if isinstance(target, View):
            if control.kind != "button":
                chosen = control.option if selected is UNSET and control.option is not None else selected
                entry = element_state(control.element, chosen)
                with self.bench.workspace.lock:
                    target.state_values.setdefault(control.block_id, {})[control.action_id] = entry
            payload.update(container={"type": "view", "view_id": target.id}, view=self._view_api(target))
        else:
            payload.update(
                container={"type": "message", "message_ts": target.ts, "channel_id": target.channel,
                           "is_ephemeral": target.is_ephemeral},
                channel={"id": target.channel, "name": self.bench.channel_name(target.channel)},
                response_url=self.bench.issue_response_url(user, target.channel, target),
                state={"values": {}},
            )
            if isinstance(target, Message):
                payload["message"] = target.to_api()
        return self._send_payload(payload, signature)

    # -- modals ---------------------------------------------------------------------------------------

    def _top_modal(self, view: View | None, user: str) -> View:
        top = self.bench.modal(user)
        if top is None or (view is not None and view.id != top.id):
            raise LookupError(f"{user} is not looking at {'that modal' if view else 'any modal'}")
        return top

    def submit(self, view: View | None = None, values: dict[str, Any] | None = None, *, user: str,
               signature: Signature = "valid") -> Ack:
        """Fill in and submit the user's top modal; apply the ack's response_action to the modal stack.

        `values` are keyed by `block_id/action_id`, `block_id` or the input's label; files for a
        `file_input` may be `File`s or `(name, bytes)` pairs. Raises ValueError when Slack's client
        would refuse to submit (an unknown field, an empty required input).
        """
        top = self._top_modal(view, user)

        def resolve(item: Any) -> dict[str, Any]:
            if isinstance(item, tuple):
                item = self.bench.register_file(item[0], item[1], user=user)
            return item.to_api() if isinstance(item, File) else dict(item)

        with self.bench.workspace.lock:
            state = submission_values(top.blocks, values or {}, top.state_values, files=resolve)
            top.state_values = state
        payload = {**self._interaction("view_submission", user), "view": self._view_api(top),
                   "response_urls": []}
        ack = self._send_payload(payload, signature)
        if ack.ok:
            self._apply_submission_ack(top, ack)
        return ack

    def _apply_submission_ack(self, view: View, ack: Ack) -> None:
        """Do to the modal stack what Slack does with a view_submission ack."""
        action, body = ack.response_action, ack.json
        ws = self.bench.workspace
        if action in ("update", "push"):
            problems = validate_view(body.get("view"))
            if problems:
                self.bench.record_violation(f"view_submission response_action={action}", problems)
                return
            body = {**body["view"], "blocks": stamp_ids(body["view"].get("blocks") or [])}
        with ws.lock:
            stack = ws.modals.get(view.user, [])
            if action == "errors":
                return
            if action == "clear":
                stack.clear()
            elif action == "update":
                # The app may call views.update right after acking, and that call can reach the bench
                # before this ack is read; Slack applies the ack first, so the app's later update wins.
                if view.seq <= ack.since:
                    self.bench.api.replace_view(view, body)
                    view.seq = ws.touch()
            elif action == "push":
                try:
                    self.bench.api.push_view(view.user, body).seq = ws.touch()
                except ApiError as exc:
                    self.bench.record_violation("view_submission response_action=push", [exc.error])
            elif view in stack:
                stack.remove(view)
            ws.touch()

    def close(self, view: View | None = None, *, user: str, signature: Signature = "valid") -> Ack | None:
        """Press the modal's Close; Slack tells the app (view_closed) only when it asked, else None."""
        top = self._top_modal(view, user)
        ws = self.bench.workspace
        with ws.lock:
            stack = ws.modals.get(user, [])
            clear = bool(top.payload.get("clear_on_close"))
            if clear:
                stack.clear()
            else:
                stack.remove(top)
            ws.touch()
        if not top.notify_on_close:
            return None
        payload = {**self._interaction("view_closed", user), "view": self._view_api(top), "is_cleared": clear}
        return self._send_payload(payload, signature)

    # -- waiting for what the app does next ----------------------------------------------------------------

    def wait_reply(self, user: str, channel: str | None = None, *, timeout: float = 5) -> Message | Ephemeral:
        """The first thing shown to `user` (or posted in `channel`) since the driver's last request."""
        return self.bench.wait_for_reply(user, channel, timeout=timeout)

    def wait_modal(self, user: str, *, timeout: float = 5) -> View:
        """The user's modal once the app opened, pushed or updated it since the driver's last request."""
        return self.bench.wait_for_modal(user, timeout=timeout)



class SocketModeDriver(SlackDriver):
    """The same person at the keyboard, with Slack delivering over the app's Socket Mode connection, not HTTP.

    Each request goes down the socket as an envelope and its `Ack` is the app's acknowledgement (an HTTP ack
    body travels as the acknowledgement's `payload`). Socket Mode is not signed: `signature` is ignored.
    """

    def __init__(self, bench: FakeSlack, *, timeout: float = 10.0) -> None:
        super().__init__(bench, app_url="", signing_secret="", timeout=timeout)
        self._timeout = timeout

    def send(self, body: str, content_type: str, *,
             signature: Signature = "valid") -> Ack:  # noqa: ARG002 - the socket is the app's own authentication
        """Deliver what `SlackDriver` would have POSTed as a Socket Mode envelope; the app's acknowledgement."""
        since = self.bench.mark()
        started = time.perf_counter()
        kind, payload = _envelope(body, content_type)
        envelope_id = self.bench.socket_mode.send(kind, payload, accepts_response_payload=kind != "events_api")
        answer = self.bench.socket_mode.wait_ack(envelope_id, timeout=self._timeout).get("payload")
        text = json.dumps(answer) if answer is not None else ""
        return Ack(200, text, {}, time.perf_counter() - started, since)


def _envelope(body: str, content_type: str) -> tuple[str, dict[str, Any]]:
    """The Socket Mode envelope type and payload of an HTTP request body from Slack."""
    if content_type == "application/json":
        return "events_api", json.loads(body)
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in form:
        return "interactive", json.loads(form["payload"])
    return "slash_commands", form
