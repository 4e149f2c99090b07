"""The import's public trail in the conversation: one message that shows progress and then the report
(counts only), and the CSV of created members (ids, codes and wallet links) sent to the importer alone.

Progress needs a real message, edited with chat.update: an ephemeral can only be replaced through a
response URL, which Slack honours five times, far fewer than the chunks of a large import.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.private_files import send_privately
from bot.views.common import Message

log = logging.getLogger(__name__)

# Answers that mean "the bot cannot post here": the person who imported is told in a direct message instead.
_CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


class ImportMessage:
    """One message in the conversation, posted once and then edited; falls back to a DM with the importer."""

    def __init__(self, slack: WebClient, channel_id: str, user_id: str, *, ts: str | None = None) -> None:
        self.slack = slack
        self.channel_id = channel_id
        self.user_id = user_id
        self.ts = ts
        """The message once posted (kept in the import's ledger, so a restarted import edits the same one)."""

    def post(self, message: Message) -> None:
        """Post the first version (in the conversation, else as a DM to the importer)."""
        payload = message.to_dict()
        try:
            answer = self.slack.chat_postMessage(channel=self.channel_id, **payload)
        except SlackApiError as exc:
            if exc.response.get("error") not in _CANNOT_POST:
                raise
            answer = self.slack.chat_postMessage(channel=self.user_id, **payload)
        self.channel_id, self.ts = str(answer["channel"]), str(answer["ts"])

    def progress(self, message: Message) -> None:
        """Show progress (the caller keeps it to what Slack takes); a failed update never stops the import."""
        if self.ts is None:
            return
        try:
            self.slack.chat_update(channel=self.channel_id, ts=self.ts, **message.to_dict())
        except SlackApiError as exc:
            log.warning("could not update the import's progress: %s", exc.response.get("error"))

    def finish(self, message: Message) -> None:
        """Replace the progress with the report; if that edit fails (or nothing was posted yet), post the report."""
        if self.ts is None:
            self.post(message)
            return
        try:
            self.slack.chat_update(channel=self.channel_id, ts=self.ts, **message.to_dict())
        except SlackApiError as exc:
            log.warning("could not edit the import's message, posting the report anew: %s",
                        exc.response.get("error"))
            self.post(message)

    def upload(self, filename: str, content: bytes, title: str) -> None:
        """Send a file to the importer alone: wallet links are not for everyone in the conversation."""
        send_privately(self.slack, self.user_id, title, content=content, filename=filename, title=title)
