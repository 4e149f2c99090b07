"""The weekly digest: each card's figures of the last seven days and its chart, posted to LOYALTY_DIGEST_CHANNEL.

It runs on the engine's schedule (LOYALTY_DIGEST_CRON in LOYALTY_TIMEZONE): the engine starts one digest per
firing, whichever processes run jobs, and each card's message is a workflow of its own named after the period and
the card, so a retry, a restart or a second worker never posts a card's digest twice for the same period.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from dbos import DBOS, SetWorkflowID

from bot.jobs import context

log = logging.getLogger(__name__)

QUEUE = "upkeep"
DAYS = 7


def cron(settings_cron: str) -> str:
    """The engine's cron (seconds first) for a five-field LOYALTY_DIGEST_CRON."""
    return f"0 {settings_cron}"


@DBOS.workflow(name="digest")
def digest(scheduled_at: datetime, _context: Any) -> None:
    """One digest message per card for the period starting at `scheduled_at`."""
    with context.running():
        period = scheduled_at.strftime("%Y%m%dT%H%M")
        posted = 0
        for card_id in _card_ids():
            with SetWorkflowID(f"digest-{period}-{card_id}"):
                posted += card_digest(card_id)
        log.info("digest %s: %d card(s) posted", period, posted)


@DBOS.step(name="digest.cards")
def _card_ids() -> list[int]:
    return [card.id for card in context.services().lookup.cards(fresh=True)]


@DBOS.workflow(name="digest.card")
def card_digest(card_id: int) -> int:
    return _post(card_id)


@DBOS.step(name="digest.post")
def _post(card_id: int) -> int:
    """The card's figures, then its chart, in the digest channel; 0 when there is nothing to say (no members)."""
    from bot.stats import PagingFailed, draw_chart, figures_for
    from bot.views.stats import chart_comment, digest_message

    services = context.services()
    channel = services.settings.loyalty_digest_channel
    if not channel:
        return 0
    card = services.lookup.card(str(card_id))
    try:
        figures = figures_for(services.loyalty, services.store.audit, services.member_figures, card, DAYS)
    except PagingFailed:
        log.warning("digest: the members of card %s could not be read; no digest for it this time", card_id)
        return 0
    if figures.members.live + figures.members.voided == 0:
        return 0
    services.slack.chat_postMessage(channel=channel, **digest_message(figures).to_dict())
    services.slack.files_upload_v2(channel=channel, content=draw_chart(figures), filename=f"week-{card.id}.png",
                                   title=f"{card.display_name}: programme chart",
                                   initial_comment=chart_comment(figures))
    return 1
