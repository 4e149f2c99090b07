"""Files only their requester may see (wallet links of an import, the audit log): sent in a direct message."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


def send_privately(slack: WebClient, user_id: str, comment: str, **upload: Any) -> str:
    """Post `comment` to `user_id` in a direct message and share the file there (`upload`: files_upload_v2's
    content or file, filename, title…); the DM's channel id.

    Posting first opens the conversation (its id is in the answer), so no extra scope is needed.
    """
    answer = slack.chat_postMessage(channel=user_id, text=comment)
    channel = str(answer["channel"])
    slack.files_upload_v2(channel=channel, **upload)
    return channel
