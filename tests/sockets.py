"""Raw TCP servers for tests whose peer misbehaves below HTTP (drops, never answers)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


def listen(handle: Callable[[socket.socket], None]) -> socket.socket:
    """A socket listening on 127.0.0.1 that hands each connection to `handle` in its own thread; close it to stop."""
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            handle(connection)

    threading.Thread(target=accept, daemon=True).start()
    return listener
