"""The line every reply carries in sandbox mode, so nobody takes the demo data for their own programme."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock
from slack_sdk.models.views import View

from bot.views.common import MESSAGE_BLOCKS, VIEW_BLOCKS, context, mrkdwn

SANDBOX_TEXT = ":test_tube: *SANDBOX · demo data*, not your loyalty programmes"


def sandbox_line() -> ContextBlock:
    """The context line that says the answer comes from the sandbox's demo data."""
    return context(SANDBOX_TEXT)


def _as_dict(block: Block | dict[str, Any]) -> dict[str, Any]:
    return block.to_dict() if isinstance(block, Block) else dict(block)


def marked_blocks(text: str, blocks: list[Any] | None, limit: int = MESSAGE_BLOCKS) -> list[dict[str, Any]] | None:
    """`blocks` ending in the sandbox line (a text-only message gets its text as a section first).

    None when there is nothing to mark (no text, no blocks: e.g. deleting a message). Where the blocks are
    already at Slack's limit, the sandbox line takes the last one's place: it must never be left out.
    """
    marked = [_as_dict(block) for block in blocks or []]
    if not marked:
        if not text:
            return None
        marked = [SectionBlock(text=mrkdwn(text)).to_dict()]
    line = sandbox_line().to_dict()
    if any(block.get("type") == "context" and block.get("elements") == line["elements"] for block in marked):
        return marked
    return [*marked[:limit - 1], line]


def marked_view(view: View | dict[str, Any]) -> dict[str, Any]:
    """A modal or Home tab ending in the sandbox line."""
    payload = view.to_dict() if isinstance(view, View) else dict(view)
    return {**payload, "blocks": marked_blocks("", payload.get("blocks"), VIEW_BLOCKS) or [sandbox_line().to_dict()]}


def marked_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A Web API or response URL payload (a message, or one holding a view) with the sandbox line in it."""
    if isinstance(payload.get("view"), View | dict):
        return {**payload, "view": marked_view(payload["view"])}
    blocks = marked_blocks(str(payload.get("text") or ""), payload.get("blocks"))
    return payload if blocks is None else {**payload, "blocks": blocks}
