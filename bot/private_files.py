"""Files only their requester may see (wallet links of an import, the audit log): sent in a direct message."""

from __future__ import annotations

from slack_sdk import WebClient


def send_privately(slack: WebClient, user_id: str, *, content: bytes | str, filename: str, title: str,
                   comment: str) -> str:
    """Post `comment` to `user_id` in a direct message and share the file there; the DM's channel id.

    Posting first opens the conversation (its id is in the answer), so no extra scope is needed.
    """
    answer = slack.chat_postMessage(channel=user_id, text=comment)
    channel = str(answer["channel"])
    slack.files_upload_v2(channel=channel, content=content, filename=filename, title=title)
    return channel
