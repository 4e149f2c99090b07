"""FakeSlack: a local HTTP server that speaks the Web API, response URLs, uploads and file downloads."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.check import manifest_scopes
from localstack.slack.methods import WebApi
from localstack.slack.protocol import ApiError, BenchConfig
from localstack.slack.socket_mode import SocketModeServer
from localstack.slack.state import Ephemeral, File, Message, Trigger
from localstack.slack.workspace import WorkspaceView

DEFAULT_TEAM_ID = "T0LOYALTY"
DEFAULT_CHANNEL = "C0GENERAL"
"""Where `SlackDriver.command` types by default; the bench starts with it, named #general."""


@dataclass(frozen=True)
class Call:
    """One request the app made to the bench: a Web API method, `response_url` or `upload`."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    response: dict[str, Any]
    seq: int

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(frozen=True)
class Violation:
    """Blocks or a view the app sent that Slack would have rejected, and why."""

    method: str
    problems: list[str]
    time: float


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: int


def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """Form, JSON or multipart parameters, the three encodings slack-sdk sends."""
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        parsed = json.loads(raw.decode("utf-8"))
        return parsed if isinstance(parsed, dict) else {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        params: dict[str, Any] = {}
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):  # the multipart container itself, not a field
                continue
            name = part.get_param("name", header="content-disposition")
            params[str(name)] = payload if part.get_filename() else payload.decode("utf-8")
        return params
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default access log: request lines may carry tokens."""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

    def _route(self) -> None:
        bench = self.server.bench
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = url.path.strip("/").split("/")
        try:
            if parts[0] == "api" and len(parts) == 2:
                params = dict(parse_qsl(url.query, keep_blank_values=True))
                params.update(_parse_body(self.headers.get("Content-Type", ""), raw))
                status, body, headers = bench.handle_api(parts[1], params, self.headers.get("Authorization"))
                self._send_json(status, body, headers)
            elif parts[0] == "response" and len(parts) == 2 and self.command == "POST":
                status, body = bench.handle_response_url(parts[1], _parse_body("application/json", raw))
                self._send_json(status, body)
            elif parts[0] == "upload" and len(parts) == 2 and self.command == "POST":
                self._upload(parts[1], raw)
            elif parts[0] == "files" and len(parts) >= 3 and self.command == "GET":
                self._download(parts[1])
            else:
                self._send(404, b"Not Found", "text/plain")
        except ValueError:
            self._send_json(400, {"ok": False, "error": "invalid_json"})

    def _upload(self, file_id: str, raw: bytes) -> None:
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            raw = next((v for v in _parse_body(content_type, raw).values() if isinstance(v, bytes)), b"")
        if self.server.bench.handle_upload(file_id, raw):
            self._send(200, f"OK - {len(raw)}".encode(), "text/plain")
        else:
            self._send(404, b"Not Found", "text/plain")

    def _download(self, file_id: str) -> None:
        bench = self.server.bench
        if self.headers.get("Authorization") != f"Bearer {bench.config.bot_token}":
            self._send(403, b"Forbidden: url_private needs the bot token", "text/plain")
            return
        file = bench.workspace.files.get(file_id)
        if file is None or not file.uploaded:
            self._send(404, b"Not Found", "text/plain")
            return
        disposition = {"Content-Disposition": f'attachment; filename="{file.name}"'}
        self._send(200, file.content, file.mimetype, disposition)

    do_GET = _route
    do_POST = _route


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # a burst of replies from the bot must queue, not wait on the default backlog of 5

    def __init__(self, address: tuple[str, int], bench: FakeSlack) -> None:
        super().__init__(address, _Handler)
        self.bench = bench


class FakeSlack(WorkspaceView):
    """A fake Slack workspace on 127.0.0.1: Web API at `api_url`, plus response URLs and files.

    `FakeSlack(bot_token=…).start()` binds a free port; point the app's `WebClient(base_url=bench.api_url)`
    at it and drive the app with `SlackDriver`. Read what users see through the `WorkspaceView` methods.
    `scopes` are the bot scopes granted (default: manifest.yml's); `app_token` opens Socket Mode connections.
    """

    def __init__(
        self,
        *,
        bot_token: str,
        team_id: str = DEFAULT_TEAM_ID,
        team_domain: str = "loyalty",
        bot_user_id: str = "U0LOYALBOT",
        bot_id: str = "B0LOYALBOT",
        app_id: str = "A0LOYALTY",
        trigger_ttl: float = 3.0,
        scopes: tuple[str, ...] | None = None,
        app_token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        config = BenchConfig(bot_token=bot_token, team_id=team_id, team_domain=team_domain,
                             bot_user_id=bot_user_id, bot_id=bot_id, app_id=app_id, trigger_ttl=trigger_ttl,
                             scopes=manifest_scopes() if scopes is None else scopes, app_token=app_token)
        super().__init__(team_id, team_domain)
        self.config = config
        self.api = WebApi(self.workspace, config, self.record_violation)
        self.violations: list[Violation] = []
        self._calls: list[Call] = []
        self._faults: dict[str, _Fault] = {}
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.socket_mode = SocketModeServer(host)
        """Socket Mode's WebSocket end, served once `app_token` is set; `apps.connections.open` points to it."""
        self.add_channel(DEFAULT_CHANNEL, "general")
        self.add_user(bot_user_id, "loyalty-bot", is_bot=True)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Bind and serve in a background thread; returns self for chaining."""
        self._server = _Server(self._address, self)
        host, port = str(self._server.server_address[0]), self._server.server_address[1]
        self.config.base_url = f"http://{host}:{port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack",
                                        daemon=True)
        self._thread.start()
        if self.config.app_token:
            self.socket_mode.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.socket_mode.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The bench's root URL, `http://127.0.0.1:PORT/`."""
        if not self.config.base_url:
            raise RuntimeError("FakeSlack is not started: call start() first")
        return self.config.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL for `WebClient(base_url=…)`, ending in `/api/`."""
        return f"{self.url}api/"

    # -- scripting the workspace -------------------------------------------------------------------

    def fail(self, method: str, *, times: int = 1, status: int = 429, retry_after: int = 1) -> None:
        """Make the next `times` calls of `method` fail: 429 `ratelimited` (with Retry-After) or a 5xx."""
        with self.workspace.lock:
            self._faults[method] = _Fault(status=status, times=times, retry_after=retry_after)

    def issue_trigger(self, user: str) -> str:
        """A fresh trigger id bound to `user`, as Slack sends with an interaction."""
        with self.workspace.lock:
            trigger_id = f"{int(time.time())}.{self.workspace.new_id('')[1:]}.bench"
            self.workspace.triggers[trigger_id] = Trigger(user=user, issued_at=time.time())
            return trigger_id

    def issue_response_url(self, user: str, channel: str, source: Message | Ephemeral | None = None) -> str:
        """A fresh response URL bound to a user, channel and (for clicks) the message clicked."""
        with self.workspace.lock:
            return self.api.issue_response_url(user, channel, source)

    def register_file(self, name: str, content: bytes, *, user: str, title: str | None = None,
                      mimetype: str = "text/plain") -> File:
        """A file a user has uploaded, e.g. to hand to a `file_input` in `driver.submit`."""
        with self.workspace.lock:
            file = self.api.files.new_file(name, content, user=user, title=title, mimetype=mimetype)
            file.uploaded = True
            self.workspace.touch()
            return file

    # -- what the app did ------------------------------------------------------------------------------

    def calls(self, method: str | None = None, *, since: int | None = None) -> list[Call]:
        """The app's requests so far, oldest first; only `method`'s and those after `since` when given."""
        with self.workspace.lock:
            return [c for c in self._calls
                    if (method is None or c.method == method) and (since is None or c.seq > since)]

    def wait_for_call(self, method: str, *, timeout: float = 5, since: int | None = None) -> Call:
        """The first call of `method` after `since` (default: the driver's last request)."""
        after = self.last_mark if since is None else since
        return self.wait_for(lambda: next(iter(self.calls(method, since=after)), None), timeout=timeout,
                             what=f"a {method} call")

    def record_violation(self, method: str, problems: list[str]) -> None:
        """Note blocks or a view Slack would have rejected (the app's answers are checked here too)."""
        with self.workspace.lock:
            self.violations.append(Violation(method=method, problems=problems, time=time.time()))

    def _record(self, method: str, params: dict[str, Any], status: int, body: dict[str, Any]) -> None:
        public = {k: v for k, v in params.items() if k != "token"}
        self._calls.append(Call(method, public, time.time(), status, body, self.workspace.seq + 1))
        self.workspace.touch()

    # -- request handling (called from server threads) ------------------------------------------------------

    def handle_api(self, method: str, params: dict[str, Any],
                   authorization: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one Web API call: faults first, then the token, then the method itself."""
        with self.workspace.lock:
            status, headers = 200, {}
            fault = self._faults.get(method)
            token = authorization.removeprefix("Bearer ").strip() if authorization else params.get("token")
            if fault is not None and fault.times > 0:
                fault.times -= 1
                status = fault.status
                body = {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
                if status == 429:
                    headers["Retry-After"] = str(fault.retry_after)
            elif not token:
                body = {"ok": False, "error": "not_authed"}
            elif method == "apps.connections.open":  # the one method called with the app-level token
                body = self._open_connection(token)
            elif token != self.config.bot_token:
                body = {"ok": False, "error": "invalid_auth"}
            elif method not in self.api.methods:
                body = {"ok": False, "error": "unknown_method", "req_method": method}
            else:
                headers["X-OAuth-Scopes"] = ",".join(self.config.scopes)
                try:
                    body = self.api.methods[method](params)
                except ApiError as exc:
                    status, body = exc.status, exc.body()
            self._record(method, params, status, body)
            return status, body, headers

    def _open_connection(self, token: str) -> dict[str, Any]:
        """apps.connections.open: only the app-level token may open a Socket Mode connection."""
        if self.config.app_token and token == self.config.app_token:
            return {"ok": True, "url": self.socket_mode.new_url()}
        if token == self.config.bot_token:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": False, "error": "invalid_auth"}

    def handle_response_url(self, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer a POST to a response URL."""
        with self.workspace.lock:
            try:
                status, answer = 200, self.api.respond(token, body)
            except ApiError as exc:
                status, answer = exc.status, exc.body()
            self._record("response_url", body, status, answer)
            return status, answer

    def handle_upload(self, file_id: str, content: bytes) -> bool:
        """Store the bytes of a files upload v2 upload URL."""
        with self.workspace.lock:
            accepted = self.api.files.receive_upload(file_id, content)
            self._record("upload", {"file_id": file_id, "length": len(content)}, 200 if accepted else 404,
                         {"ok": accepted})
            return accepted

    def respond(self, response_url: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply `body` as if posted to `response_url`, as Slack does with a slash command's ack body.

        Not recorded as a call: the app did not make it. Raises `ApiError` as the URL would answer.
        """
        with self.workspace.lock:
            return self.api.respond(response_url.rstrip("/").rsplit("/", 1)[-1], body)
