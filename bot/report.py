"""The one error path: whatever failed, in a listener or in background work, reaches the user here."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack

from bot.errors import describe, outcome_of
from bot.interaction import Interaction
from bot.logs import log_context
from bot.views.common import error_modal, notice

log = logging.getLogger("bot.events")

ERROR_TITLE = "Something went wrong"


def report(interaction: Interaction, error: BaseException, *, ack: Ack | None = None, **extra: Any) -> None:
    """Log `error` in one line and tell the person who acted, in words, where they are looking.

    A request that came from a modal gets the modal back saying what went wrong: in the submission's own
    answer while its `ack` is still unsent, else through `views.update`. Anything else gets a private reply.
    Unexpected failures are logged with their traceback; the user only ever reads `describe`'s words.
    Never raises: a failure to tell the user is logged.
    """
    outcome = outcome_of(error)
    with log_context(request_id=interaction.request_id, user=interaction.user_id or None,
                     action=interaction.name or None):
        if outcome == "failed":
            log.error("failed: %s", type(error).__name__, exc_info=error, extra={"outcome": outcome, **extra})
        else:
            log.info("%s: %s", type(error).__name__, outcome, extra={"outcome": outcome, **extra})
        text = describe(error, interaction.request_id)
        try:
            if ack is not None:
                ack(response_action="update", view=error_modal(ERROR_TITLE, text))
            elif interaction.view_id:
                interaction.client.views_update(view_id=interaction.view_id, view=error_modal(ERROR_TITLE, text))
            elif interaction.user_id:
                interaction.reply(notice(text, emoji=":warning:"))
        except Exception:
            log.exception("could not tell the user about a failure", extra={"outcome": "failed"})
