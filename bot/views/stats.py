"""`/loyalty stats`: a card's figures (aggregates only, never a member), and the lines around the chart."""

from __future__ import annotations

from bot.coupontools.models import Card
from bot.stats import PAGE_SIZE, CardFigures
from bot.views.common import Message, context, fallback, header, inline, notice, plural, section

NAME = 150


def _rate(figures: CardFigures) -> str:
    rate = figures.redemption_rate
    return "–" if rate is None else f"{rate:.0%}"


def _one_away(figures: CardFigures) -> str:
    count = figures.members.one_stamp_away
    return "–" if count is None else str(count)


def figure_lines(figures: CardFigures) -> list[str]:
    """The figures as `*label*\\nvalue` fields, in the order people read them."""
    members = figures.members
    period = plural(figures.days, "day")
    return [
        f"*Live members*\n{members.live}",
        f"*Voided members*\n{members.voided}",
        f"*New members (last {period})*\n{figures.new_members}",
        f"*Stamps given through the app (last {period})*\n{figures.stamps_given}",
        f"*Rewards used through the app (last {period})*\n{figures.rewards_redeemed}",
        f"*Rewards available / used / expired*\n{members.rewards_available} / {members.rewards_used} / "
        f"{members.rewards_expired}",
        f"*Redemption rate*\n{_rate(figures)}",
        f"*Members holding an unused reward*\n{members.holding_reward}",
        f"*Members one stamp from a reward*\n{_one_away(figures)}",
    ]


def as_of(figures: CardFigures) -> str:
    """When the member figures were read, e.g. `14:05`."""
    return f"{figures.members.as_of:%H:%M}"


def stats_message(figures: CardFigures, *, chart_follows: bool) -> Message:
    """The card's figures; aggregates only, so the message holds no member's details."""
    name = inline(figures.card.display_name, NAME)
    notes = [f"Members and rewards as of {as_of(figures)}, from the loyalty service; stamps and rewards used "
             "count only changes made through this app."]
    if chart_follows:
        notes.append("The chart follows as a file.")
    return Message(
        text=fallback(f"{name}: {figures.members.live} live members, {figures.new_members} new in "
                      f"{plural(figures.days, 'day')}"),
        blocks=[header(f"{figures.card.display_name}: last {plural(figures.days, 'day')}"),
                section(fields=figure_lines(figures)), context(*notes)],
    )


def digest_message(figures: CardFigures) -> Message:
    """The weekly digest of one card, for a channel: the same aggregates as `stats`, never a member's details."""
    name = inline(figures.card.display_name, NAME)
    return Message(
        text=fallback(f"Weekly digest of {name}: {figures.members.live} live members, {figures.new_members} new"),
        blocks=[header(f"{figures.card.display_name}: the week in figures"), section(fields=figure_lines(figures)),
                context(f"Members and rewards as of {as_of(figures)}, from the loyalty service; stamps and rewards "
                        "used count only changes made through this app. The chart follows. "
                        f"Ask any time with `/loyalty stats {figures.card.id}`.")],
    )


def no_members_message(card: Card) -> Message:
    return notice(f"{card.display_name} has no members yet, so there are no figures to show. "
                  f"Add some with `/loyalty add` or `/loyalty import`.")


def counting_message(card: Card, read: int) -> Message:
    """The progress line while a big card's members are paged."""
    return notice(f"Counting the members of {card.display_name}: {read} so far, {PAGE_SIZE} a page… "
                  "the figures follow here.", emoji="hourglass_flowing_sand")


def chart_comment(figures: CardFigures) -> str:
    return f"{inline(figures.card.display_name, NAME)}: the last 12 weeks, as of {as_of(figures)}"


def chart_dm_text(figures: CardFigures) -> str:
    """Above the chart in a DM, when the conversation `stats` was typed in did not take the file."""
    return (f"I couldn't post the chart of {inline(figures.card.display_name, NAME)} where you asked "
            "(is the app in that conversation?), so here it is.")
