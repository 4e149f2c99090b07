"""The HTTP side of the sandbox: a threading server that speaks the Coupontools v4 loyalty API on loopback."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from bot.sandbox import routes
from bot.sandbox.errors import BAD_CREDENTIALS, BAD_VALUE, SandboxError
from bot.sandbox.faults import Faults, Rule
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

API_PREFIX = "/v4"
DEMO_API_KEY = "sandbox-key"
DEMO_API_SECRET = "sandbox-secret"  # noqa: S105 - a published demo value, printed on purpose
_MAX_BODY = 10 * 1024 * 1024


class RecordedRequest(NamedTuple):
    """A request as the sandbox received it; `body` is the parsed JSON, or None when absent or malformed."""

    method: str
    path: str
    body: Any
    time: float


@dataclass
class Response:
    """What to send back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any) -> Response:
        return cls(status, json.dumps(data, ensure_ascii=False).encode(),
                   {"Content-Type": "application/json; charset=utf-8"})


def _fault_response(rule: Rule) -> Response:
    if rule.body is None:
        response = Response.json(rule.status, SandboxError(rule.status, rule.status, "Injected fault").envelope())
    elif isinstance(rule.body, bytes):
        response = Response(rule.status, rule.body, {"Content-Type": "application/octet-stream"})
    elif isinstance(rule.body, str):
        kind = "text/html" if rule.body.lstrip().startswith("<") else "text/plain"
        response = Response(rule.status, rule.body.encode(), {"Content-Type": f"{kind}; charset=utf-8"})
    else:
        response = Response.json(rule.status, rule.body)
    response.headers.update(rule.headers)
    return response


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # The default backlog of 5 refuses connections when hundreds of clients connect at once.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        super().__init__(address, _Handler)
        self.sandbox = sandbox
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle_error(self, _request: Any, client_address: Any) -> None:
        # Clients that hang up (timeouts, dropped connections, stop()) are normal here, not worth a traceback.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections end eventually
    # Headers and body leave in one write, without Nagle's delay: keep-alive clients see no 40 ms stalls.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox: " + format, *args)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= _MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(Response.json(400, SandboxError(400, BAD_VALUE, "Unreadable request body").envelope()))
            return
        response = self.server.sandbox.dispatch(self.command, self.path, self.headers, raw)
        if response is None:
            self.close_connection = True
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.status != 204:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class SandboxServer:
    """A local Coupontools v4 loyalty API with in-memory state, request recording and fault injection.

        with SandboxServer(api_key="k", api_secret="s").start() as server:
            httpx.get(server.base_url + "/loyalty/loyalty-cards", headers={"x-api-key": "k", ...})
    """

    def __init__(self, api_key: str = DEMO_API_KEY, api_secret: str = DEMO_API_SECRET, host: str = "127.0.0.1",
                 port: int = 0, seed: int = 1, state_file: str | Path | None = None, *,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self.host = host
        self.port = port
        self.seed = seed
        self.state_file = Path(state_file) if state_file else None
        self.state = SandboxState(seed, now=clock)
        if self.state_file is not None:
            if self.state_file.exists():
                self.state.load(self.state_file)
            else:
                self.state.save(self.state_file)
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """The API's base URL, what a client is configured with: `http://127.0.0.1:<port>/v4`."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    def start(self) -> SandboxServer:
        """Listen and serve on a background thread; returns self."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            # A short poll interval so stop() returns quickly: tests start and stop many servers.
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and hang up on every open connection, including slow ones still waiting."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._httpd.connections_lock:
            open_connections = list(self._httpd.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()
        self._httpd, self._thread = None, None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def reset(self) -> None:
        """Reseed the state, clear faults and recorded requests: a fresh sandbox on the same port."""
        self.state.reseed(self.seed)
        self.faults.clear()
        self.requests.clear()
        self._save()

    def find_requests(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """The recorded requests with this method and containing `path`, e.g. ("POST", "/stamps")."""
        return [
            request for request in list(self.requests)
            if (method is None or request.method == method.upper()) and (path is None or path in request.path)
        ]

    def _save(self) -> None:
        if self.state_file is not None:
            with self.state.lock:  # one writer at a time, so an older snapshot never lands last
                self.state.save(self.state_file)

    def _authorised(self, headers: Message) -> bool:
        key, secret = headers.get("x-api-key") or "", headers.get("x-api-secret") or ""
        return hmac.compare_digest(key.encode(), self._api_key.encode()) & hmac.compare_digest(
            secret.encode(), self._api_secret.encode())

    def dispatch(self, method: str, raw_path: str, headers: Message, raw_body: bytes) -> Response | None:
        """Answer one request, applying faults; None means close the connection without an answer."""
        path = urlsplit(raw_path).path
        body: Any = None
        malformed = False
        if raw_body.strip():
            try:
                body = json.loads(raw_body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                malformed = True
        self.requests.append(RecordedRequest(method, path, body, time.time()))
        plan = self.faults.plan(method, path)
        if plan.delay > 0:
            self._stopping.wait(plan.delay)
        if plan.failure is not None:
            return _fault_response(plan.failure)
        if plan.drop is not None and not plan.drop.after_apply:
            self._stopping.wait(plan.drop.hang)
            return None
        response = self._answer(method, path, headers, body, malformed)
        if plan.drop is not None:
            self._stopping.wait(plan.drop.hang)
            return None
        return response

    def _answer(self, method: str, path: str, headers: Message, body: Any, malformed: bool) -> Response:
        try:
            if not self._authorised(headers):
                raise SandboxError(401, BAD_CREDENTIALS,
                                   "HTTP/1.0 401 Unauthorized. Client ID or Secret not correct.")
            if not path.startswith(API_PREFIX + "/"):
                raise SandboxError(404, BAD_VALUE, "Unknown endpoint")
            route, card_id, member_id = routes.find(method, path[len(API_PREFIX):])
            if malformed:
                raise SandboxError(400, BAD_VALUE, "body: malformed JSON")
            result = route.handler(self.state, body, card_id, member_id)
            if route.changes:
                self._save()
            return Response.json(200, result)
        except SandboxError as error:
            return Response.json(error.status, error.envelope())
        except Exception:
            logger.exception("sandbox failed on %s %s", method, path)
            return Response.json(500, SandboxError(500, BAD_VALUE, "Internal sandbox error").envelope())


def serve(host: str, port: int, api_key: str, api_secret: str, state_file: str | None = None, *,
          seed: int = 1) -> None:
    """Run the sandbox in the foreground until SIGINT or SIGTERM, then stop cleanly."""
    server = SandboxServer(api_key=api_key, api_secret=api_secret, host=host, port=port, seed=seed,
                           state_file=state_file)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    server.start()
    try:
        secret = f", x-api-secret: {api_secret}" if api_secret == DEMO_API_SECRET else ""
        print(f"Coupontools sandbox listening on {server.base_url} (x-api-key: {api_key}{secret})", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
