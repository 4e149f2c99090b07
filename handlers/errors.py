"""The global error path: anything a listener raises becomes words for the user and one log line."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.errors import describe
from bot.logs import new_request_id

log = logging.getLogger("bot.events")


def register(app: App) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse | None:
        request_id = new_request_id()
        log.error("listener failed: %s", type(error).__name__, exc_info=error,
                  extra={"request_id": request_id, "outcome": "failed"})
        if body.get("response_url") and respond is not None:
            try:
                respond(text=f":warning: {describe(error, request_id)}", response_type="ephemeral",
                        replace_original=False)
            except Exception:
                log.exception("could not tell the user about a failure", extra={"request_id": request_id})
        return None
