"""`/loyalty help`, and the short usage reply the command parser gives when something was wrong."""

from __future__ import annotations

from typing import NamedTuple

from slack_sdk.models.blocks import Block

from bot.views.common import MESSAGE_BLOCKS, Message, code, context, escape, fallback, header, inline, section

COMMAND = "/loyalty"


class Usage(NamedTuple):
    """How one subcommand is typed, an example, and what it does."""

    usage: str
    example: str
    description: str


USAGES: dict[str, Usage] = {
    "help": Usage("help", "help", "This list."),
    "cards": Usage("cards", "cards", "Lists the loyalty cards, with their ids and codes."),
    "members": Usage(
        "members <card> [words…] [--voided]",
        'members "Coffee Club" ada',
        "Searches a card's members by name, email, phone or code; add `--voided` to include voided cards.",
    ),
    "member": Usage(
        "member <card> <member>",
        'member "Coffee Club" ada@example.com',
        "Shows one member: contact, stamps, rewards, custom fields, wallet link, and buttons to act.",
    ),
    "copy": Usage(
        "copy <card> [new name]",
        'copy "Coffee Club" Coffee Club Summer',
        "Copies a card; the new name is at most 50 characters.",
    ),
    "add": Usage("add <card>", 'add "Coffee Club"', "Opens a form to create a member."),
    "import": Usage(
        "import <card>", 'import "Coffee Club"', "Creates many members at once from a CSV, pasted or uploaded.",
    ),
    "edit": Usage(
        "edit <card> <member>", 'edit "Coffee Club" ada@example.com', "Opens a form prefilled with the member.",
    ),
    "stamp": Usage(
        "stamp <card> <member> [amount]",
        'stamp "Coffee Club" ada@example.com 2',
        "Adds stamps (1 unless you say) and shows the new count and any reward earned.",
    ),
    "redeem": Usage(
        "redeem <card> <member>",
        'redeem "Coffee Club" ada@example.com',
        "Lists the member's available rewards to use.",
    ),
    "push": Usage(
        "push <card> [--to <member>[,<member>…]] [--at <when>] <message>",
        'push "Coffee Club" --to ada@example.com,+3212345678 --at 09:00 Your free coffee is waiting!',
        "Sends a push notification. Without `--to` it goes to every member, once an admin other than you approves. "
        "`--at` sends it later: `HH:MM` or `YYYY-MM-DD HH:MM` on your clock, or `+90m`, `+2h`, `+1d`.",
    ),
    "scheduled": Usage(
        "scheduled [<card>]",
        'scheduled "Coffee Club"',
        "Lists the pushes waiting for their time, with Cancel (for the person who asked, or an admin).",
    ),
    "void": Usage(
        "void <card> <member>",
        'void "Coffee Club" ada@example.com',
        "Voids a member's card, after you confirm with a button.",
    ),
    "delete": Usage(
        "delete <card> <member>",
        'delete "Coffee Club" ada@example.com',
        "Deletes a member, after you confirm with a button.",
    ),
    "audit": Usage("audit [<card>]", 'audit "Coffee Club"', "Shows the latest recorded changes."),
    "stats": Usage(
        "stats <card> [--days N]",
        'stats "Coffee Club" --days 7',
        "Programme figures for the last N days (30 unless you say, at most 365) and a chart; no member details.",
    ),
    "history": Usage(
        "history <card> <member>",
        'history "Coffee Club" ada@example.com',
        "The member's changes made through this app: who did what, and when, newest first.",
    ),
    "export": Usage(
        "export <card> [--voided]",
        'export "Coffee Club"',
        "Every member as a CSV file, sent to you alone in a DM after you confirm; `--voided` adds voided cards.",
    ),
    "use": Usage(
        "use [<card>|--clear]",
        "use Coffee Club",
        "Makes a card this channel's default, so commands here may leave it out; alone, shows it.",
    ),
}

WHO: dict[str, str] = {
    "help": "everyone", "cards": "viewers", "members": "viewers", "member": "viewers",
    "copy": "operators", "add": "operators", "import": "operators", "edit": "operators", "stamp": "operators",
    "redeem": "operators", "push": "operators ask, a second admin approves a push to everyone",
    "void": "admins", "delete": "admins", "audit": "admins", "use": "operators", "scheduled": "viewers",
    "stats": "viewers", "history": "operators", "export": "admins",
}
"""Who may run each subcommand, in words (roles are granted in LOYALTY_VIEWERS, _OPERATORS and _ADMINS)."""

MORE_EXAMPLES: dict[str, tuple[str, ...]] = {
    "member": ("member Coffee Club Ada Lovelace", 'member 481516 "+32 2 555 01 01"'),
    "stamp": ("stamp Coffee Club ada@example.com", "stamp Coffee Club +32 2 555 01 01 2"),
    "members": ("members coffee club ada",),
}

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Look up", ("cards", "members", "member")),
    ("Change", ("stamp", "redeem", "add", "edit", "import", "copy", "push", "scheduled")),
    ("Insights", ("stats", "history")),
    ("Admin", ("void", "delete", "export", "audit")),
    ("This channel", ("use",)),
)

_HINTS = (
    "`<card>` is a card's id, its code, or its name (quotes optional). "
    "`<member>` is a member's id, code, email or phone."
)


def _command(text: str) -> str:
    return code(f"{COMMAND} {text}")


def _entry(name: str) -> str:
    usage = USAGES[name]
    return f"{_command(usage.usage)}\n{usage.description} For example: {_command(usage.example)}"


def help_message(*, unknown: str | None = None, suggestion: str | None = None,
                 default_card: str | None = None) -> Message:
    """Usage of every subcommand, grouped, with an example each; first says so when `unknown` was not understood,
    and names the channel's default card when it has one."""
    blocks: list[Block] = []
    if unknown is not None:
        line = f":thinking_face: I don't know {code(unknown, 60)}."
        if suggestion is not None and suggestion in USAGES:
            line += f" Did you mean {code(suggestion)}?\n{_entry(suggestion)}"
        blocks.append(section(line))
    blocks.append(header(f"How to use {COMMAND}"))
    if default_card is not None:
        card = inline(default_card, 200)
        blocks.append(section(f":pushpin: In this channel `<card>` may be left out: it is *{card}* "
                              f"(set with {_command('use <card>')}, removed with {_command('use --clear')})."))
    for title, names in GROUPS:
        blocks.append(section(f"*{title}*\n\n" + "\n\n".join(_entry(name) for name in names)))
    blocks.append(context(escape(_HINTS), f"Answers about members are only shown to you. {_command('help')}"))
    intro = f"I don't know {escape(unknown)}." if unknown is not None else ""
    return Message(text=fallback(f"{intro} How to use {COMMAND}: {COMMAND} help"), blocks=blocks)


def topic_message(subcommand: str) -> Message:
    """`help <subcommand>`: its usage, examples and who may run it."""
    usage = USAGES[subcommand]
    examples = "\n".join(f"• {_command(example)}" for example in (usage.example, *MORE_EXAMPLES.get(subcommand, ())))
    lines = (
        f"*Usage:* {_command(usage.usage)}",
        usage.description,
        f"*Examples:*\n{examples}",
        f"*Who:* {WHO[subcommand]}. An admin grants roles in the app's settings.",
    )
    return Message(
        text=fallback(f"Usage: {escape(COMMAND)} {escape(usage.usage)}"),
        blocks=[header(f"{COMMAND} {subcommand}"), section("\n\n".join(lines)), context(escape(_HINTS),
                f"All commands: {_command('help')}")],
    )


def usage_message(subcommand: str | None, problem: str) -> Message:
    """What was wrong with a command, then its right usage and an example (or, for no known subcommand,
    the general help); `problem` is escaped here."""
    usage = USAGES.get(subcommand) if subcommand else None
    if usage is None:
        general = help_message()
        return Message(text=fallback(escape(problem)),
                       blocks=[section(f":warning: {escape(problem)}"), *general.blocks][:MESSAGE_BLOCKS])
    lines = (
        f":warning: {escape(problem)}",
        f"*Usage:* {_command(usage.usage)}",
        f"*Example:* {_command(usage.example)}",
        usage.description,
    )
    return Message(
        text=fallback(f"{escape(problem)} Usage: {escape(COMMAND)} {escape(usage.usage)}"),
        blocks=[section("\n".join(lines)), context(f"All commands: {_command('help')}")],
    )
