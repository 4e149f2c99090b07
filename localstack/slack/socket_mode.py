"""Socket Mode as Slack serves it: `apps.connections.open` hands out a ws:// URL, the app connects, Slack sends
envelopes down the socket and the app acknowledges each by its `envelope_id`.

A small RFC 6455 server on 127.0.0.1 (text, ping/pong and close frames, unfragmented): enough for slack-sdk's
built-in Socket Mode client, which is what Bolt's `SocketModeHandler` uses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import struct
import threading
import time
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


class SocketModeServer:
    """The WebSocket end of Socket Mode. `send` an envelope, `wait_ack` for the app's answer; `drop` the socket."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._listener: socket.socket | None = None
        self._changed = threading.Condition()
        self._open: list[socket.socket] = []
        self._send_lock = threading.Lock()
        self.connections = 0
        """WebSocket connections the app has opened so far (a reconnect adds one)."""
        self.acks: dict[str, dict[str, Any]] = {}
        """The app's acknowledgements by envelope id."""

    def start(self) -> SocketModeServer:
        self._listener = socket.create_server((self._host, 0))
        threading.Thread(target=self._accept, name="socket-mode", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self.drop()

    def new_url(self) -> str:
        """A fresh connection URL, as `apps.connections.open` returns."""
        if self._listener is None:
            raise RuntimeError("SocketModeServer is not started")
        return f"ws://{self._host}:{self._listener.getsockname()[1]}/link/?ticket={secrets.token_hex(8)}"

    # -- what the tests drive ------------------------------------------------------------------------------

    def wait_connected(self, count: int = 1, *, timeout: float = 30) -> None:
        """Wait until the app has opened `count` connections in all and one is open now."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.connections >= count and self._open, timeout=timeout):
                raise TimeoutError(f"the app opened {self.connections} Socket Mode connection(s), not {count}")

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False,
             retry_attempt: int = 0) -> str:
        """Send an envelope of `kind` (slash_commands, interactive, events_api) down the open socket; its id."""
        envelope_id = secrets.token_hex(8)
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                                    "accepts_response_payload": accepts_response_payload}
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="")
        with self._changed:
            if not self._open:
                raise ConnectionError("the app has no Socket Mode connection open")
            connection = self._open[-1]
        self._write(connection, _TEXT, json.dumps(envelope).encode())
        return envelope_id

    def wait_ack(self, envelope_id: str, *, timeout: float = 10) -> dict[str, Any]:
        """The app's acknowledgement of `envelope_id` (its `payload`, if any, is what an HTTP ack body would be)."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout=timeout):
                raise TimeoutError(f"envelope {envelope_id} was not acknowledged")
            return self.acks[envelope_id]

    def drop(self) -> None:
        """Close every open socket at once, without a close frame: a network failure as the app sees it."""
        with self._changed:
            dropped, self._open = self._open, []
        for connection in dropped:
            connection.close()

    # -- the server ------------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()  # type: ignore[union-attr]
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            self._handshake(connection)
            with self._changed:
                self._open.append(connection)
                self.connections += 1
                self._changed.notify_all()
            hello = {"type": "hello", "num_connections": len(self._open), "debug_info": {"host": "localstack"},
                     "connection_info": {"app_id": "A0LOYALTY"}}
            self._write(connection, _TEXT, json.dumps(hello).encode())
            while True:
                opcode, data = _read_frame(connection)
                if opcode == _TEXT:
                    self._received(json.loads(data))
                elif opcode == _PING:
                    self._write(connection, _PONG, data)
                elif opcode == _CLOSE:
                    self._write(connection, _CLOSE, data[:2])
                    return
        except (OSError, ConnectionError, ValueError):
            return
        finally:
            with self._changed:
                if connection in self._open:
                    self._open.remove(connection)
                self._changed.notify_all()
            connection.close()

    def _received(self, message: dict[str, Any]) -> None:
        envelope_id = message.get("envelope_id")
        if isinstance(envelope_id, str):
            with self._changed:
                self.acks[envelope_id] = {**message, "received_at": time.time()}
                self._changed.notify_all()

    def _handshake(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            request += chunk
        headers = dict(line.split(": ", 1) for line in request.decode("latin-1").split("\r\n")[1:] if ": " in line)
        key = {name.lower(): value for name, value in headers.items()}["sec-websocket-key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()  # noqa: S324 - RFC 6455
        connection.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())

    def _write(self, connection: socket.socket, opcode: int, data: bytes) -> None:
        length = len(data)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._send_lock:
            connection.sendall(header + data)


def _read_frame(connection: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exactly(connection, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _read_exactly(connection, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _read_exactly(connection, 8))
    mask = _read_exactly(connection, 4) if second & 0x80 else b""
    data = _read_exactly(connection, length)
    if mask:
        data = bytes(byte ^ mask[i % 4] for i, byte in enumerate(data))
    return first & 0x0F, data


def _read_exactly(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the app closed the socket")
        data += chunk
    return data
