"""What the member-changing commands answer: stamps added, rewards redeemed, a card copied."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.coupontools.models import Card, Member, Reward
from bot.views import ids
from bot.views.common import (
    OPTION_TEXT,
    SELECT_OPTIONS,
    Message,
    button,
    code,
    context,
    escape,
    fallback,
    format_date,
    format_time,
    inline,
    modal,
    plain,
    plural,
    section,
)
from bot.views.help import COMMAND

CHECKBOX_OPTIONS = 10
"""Slack's limit for checkboxes; more rewards than this are offered in a multi-select."""
REDEEM_TITLE = "Redeem rewards"
REWARD_NAME = 150
NO_REWARD_TICKED = "Tick at least one reward to use."


def _who(card: Card, member: Member) -> str:
    return f"*{inline(member.full_name, 300)}* ({inline(card.display_name, 300)})"


def _member_command(card: Card, member: Member) -> str:
    return code(f"{COMMAND} member {card.id} {member.id}")


def _reward_name(reward: Reward) -> str:
    return reward.name or f"Reward {reward.id}"


def _member_buttons(card: Card, member: Member, *, again: bool, redeem: bool = False) -> ActionsBlock:
    value = ids.member_ref(card.id, member.id)
    buttons = [button("Add another stamp", ids.MEMBER_STAMP, value)] if again else []
    if redeem:
        buttons.append(button("Redeem", ids.MEMBER_REDEEM, value, style="primary"))
    buttons.append(button("Open member", ids.MEMBER_OPEN, value))
    return ActionsBlock(elements=buttons)


# -- stamps -------------------------------------------------------------------------------------------


def voided_text(card: Card, member: Member) -> str:
    """Why a voided member gets no stamps (nothing was sent)."""
    return (f"{member.full_name}'s card on {card.display_name} is voided, so it no longer collects stamps. "
            "Nothing was sent.")


def no_stamps_text(card: Card) -> str:
    """Why a membership card gets no stamps (nothing was sent)."""
    return f"{card.display_name} is a membership card: it has no stamps to add. Nothing was sent."


def earned_rewards(before: Member, after: Member, now: datetime | None = None) -> list[Reward]:
    """The available rewards `after` has that `before` did not: what the stamps just earned."""
    had = {reward.id for reward in before.rewards}
    return [reward for reward in after.available_rewards(now) if reward.id not in had]


def stamp_result_message(card: Card, before: Member, after: Member, amount: int,
                         *, now: datetime | None = None) -> Message:
    """Stamps added: the new count, and any reward they earned."""
    count = plural(after.stamps, "stamp") if after.stamps is not None else "an unknown number of stamps"
    lines = [f":white_check_mark: Added {plural(amount, 'stamp')} to {_who(card, after)}: now *{count}*."]
    earned = earned_rewards(before, after, now)
    if earned:
        names = ", ".join(f"*{inline(_reward_name(reward), REWARD_NAME)}*" for reward in earned[:10])
        more = f" and {len(earned) - 10} more" if len(earned) > 10 else ""
        lines.append(f":tada: Reward earned: {names}{more}.")
    text = "\n".join(lines)
    buttons = _member_buttons(card, after, again=True, redeem=bool(earned))
    return Message(text=fallback(text), blocks=[section(text), buttons])


def stamp_unknown_message(card: Card, member: Member, amount: int) -> Message:
    """The stamp request got no answer: it may or may not have been added, and it is not sent again."""
    text = (f":grey_question: *Outcome unknown — check the member's count.* I sent {plural(amount, 'stamp')} "
            f"for {_who(card, member)} (they had {member.stamps if member.stamps is not None else '?'}), "
            "but the loyalty service did not answer, so I can't tell whether it was added. I did not retry. "
            f"Look at their count with {_member_command(card, member)} before stamping again.")
    return Message(text=fallback(text), blocks=[section(text), _member_buttons(card, member, again=False)])


# -- rewards ------------------------------------------------------------------------------------------


def _reward_option(reward: Reward) -> Option:
    parts = [reward.name or f"Reward {reward.id}"]
    if reward.added_at:
        parts.append(f"earned {format_date(reward.added_at)}")
    if reward.expired_at:
        parts.append(f"expires {format_date(reward.expired_at)}")
    return Option(value=str(reward.id), text=plain(" · ".join(parts), OPTION_TEXT))


def redeem_modal(card: Card, member: Member, *, warning: str | None = None, now: datetime | None = None) -> View:
    """The member's available rewards to tick; when there are none, a plain "nothing to redeem" without submit."""
    available = member.available_rewards(now)
    blocks: list[Block] = []
    if warning:
        blocks.append(section(f":warning: {escape(warning)}"))
    if not available:
        blocks.append(section(f"{_who(card, member)} has nothing to redeem: no available rewards right now."))
        return modal(REDEEM_TITLE, blocks, callback_id=ids.REDEEM_VIEW, private_metadata=_ref(card, member))
    options = [_reward_option(reward) for reward in available[:SELECT_OPTIONS]]
    if len(options) <= CHECKBOX_OPTIONS:
        element: CheckboxesElement | StaticMultiSelectElement = CheckboxesElement(
            action_id=ids.REDEEM_INPUT, options=options)
    else:
        element = StaticMultiSelectElement(
            action_id=ids.REDEEM_INPUT, options=options, placeholder=plain("Choose rewards", OPTION_TEXT))
    blocks.append(section(f"{_who(card, member)} has {plural(len(available), 'available reward')}."))
    blocks.append(InputBlock(block_id=ids.REDEEM_BLOCK, label=plain("Rewards to use", OPTION_TEXT),
                             element=element))
    if len(available) > SELECT_OPTIONS:
        blocks.append(context(f"Only the first {SELECT_OPTIONS} of {len(available)} are listed; redeem "
                              "those, then open this again for the rest."))
    return modal(REDEEM_TITLE, blocks, callback_id=ids.REDEEM_VIEW, submit="Redeem", close="Cancel",
                 private_metadata=_ref(card, member))


def _ref(card: Card, member: Member) -> str:
    return ids.member_ref(card.id, member.id)


def redeeming_modal() -> View:
    """Shown while the loyalty service marks the rewards used."""
    return modal(REDEEM_TITLE, [section(":hourglass_flowing_sand: Redeeming…")])


def redeemed_modal(card: Card, member: Member, reward_ids: Sequence[int]) -> View:
    """What was used, read from the member the API answered with."""
    chosen = set(reward_ids)
    used = [reward for reward in member.rewards if reward.id in chosen]
    lines = [f":white_check_mark: Redeemed for {_who(card, member)}:"]
    for reward in used[:20]:
        when = f" — used {format_time(reward.used_at)}" if reward.used_at else ""
        lines.append(f"• {inline(_reward_name(reward), REWARD_NAME)}{when}")
    if len(used) > 20:
        lines.append(f"…and {len(used) - 20} more")
    left = len(member.available_rewards())
    lines.append(f"{plural(left, 'reward')} still available." if left else "No rewards left to redeem.")
    return modal(REDEEM_TITLE, [section("\n".join(lines))])


def redeem_refusal(api_message: str) -> str:
    """Explain the loyalty service's refusal to use a reward; `api_message` is already free of contact details."""
    said = api_message.lower()
    if "used" in said:
        reason = "One of those rewards was already used, perhaps by a colleague a moment ago."
    elif "expired" in said:
        reason = "One of those rewards has expired since the list was shown."
    elif "not a reward" in said:
        reason = "One of those rewards no longer belongs to this member."
    else:
        reason = f"The loyalty service refused: {api_message}"
    return f"{reason} The list below was read again just now; choose again."


# -- cards --------------------------------------------------------------------------------------------


def default_copy_name(card: Card) -> str:
    """"Copy of <name>", cut to the 50 characters a card name may have."""
    return f"Copy of {card.display_name}"[:50].strip()


def copy_result_message(original: Card, copy: Card) -> Message:
    """The new card: id, code and name, and how to use it."""
    text = (f":white_check_mark: Copied {code(original.display_name)} to a new card "
            f"*{inline(copy.display_name, 300)}* — id {copy.id}, code {code(copy.code) if copy.code else '–'}. "
            f"It starts with no members; add some with {code(f'{COMMAND} add {copy.id}')}.")
    return Message(text=fallback(text), blocks=[section(text)])
