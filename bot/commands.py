"""Parsing `/loyalty` text into typed commands. Pure: no I/O, and no input makes it raise anything but CommandError."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field

from bot.errors import UserError
from bot.phones import is_valid

MAX_TEXT = 4000
"""Slack caps slash-command text at 4,000 characters; anything longer is refused rather than cut."""
MAX_REF = 200
"""A card or member reference longer than this cannot be an id, code, email, phone or card name."""
MAX_RECIPIENTS = 1000

SUBCOMMANDS: tuple[str, ...] = (
    "help", "cards", "copy", "members", "member", "add", "import", "edit",
    "stamp", "redeem", "void", "delete", "push", "scheduled", "audit", "stats", "history", "export", "use",
)
STATS_DAYS = 30
"""The period `stats` covers when no `--days` is given."""
MAX_STATS_DAYS = 365


class CommandError(UserError):
    """The text could not be understood; `subcommand` says which usage to show (None: general help)."""

    def __init__(self, message: str, *, subcommand: str | None = None) -> None:
        super().__init__(message)
        self.subcommand = subcommand


@dataclass(frozen=True)
class Help:
    unknown: str | None = None
    suggestion: str | None = None
    topic: str | None = None
    """`help <subcommand>`: that subcommand alone."""
    name: str = "help"


@dataclass(frozen=True)
class Cards:
    name: str = "cards"


@dataclass(frozen=True)
class Copy:
    card: str
    new_name: str | None = None
    name: str = "copy"


@dataclass(frozen=True)
class Members:
    card: str
    words: str = ""
    include_voided: bool = False
    name: str = "members"


@dataclass(frozen=True)
class MemberRef:
    """A subcommand that acts on one member: member, edit, redeem, void, delete, history."""

    name: str
    card: str
    member: str


@dataclass(frozen=True)
class CardRef:
    """A subcommand that acts on a card: add, import."""

    name: str
    card: str


@dataclass(frozen=True)
class Stamp:
    card: str
    member: str
    amount: int = 1
    name: str = "stamp"


@dataclass(frozen=True)
class Push:
    card: str
    message: str
    recipients: tuple[str, ...] = field(default_factory=tuple)
    at: str | None = None
    """`--at`: when to send it, as typed (`HH:MM`, `YYYY-MM-DD HH:MM`, `+90m`, `+2h`, `+1d`); see bot.schedule."""
    name: str = "push"

    @property
    def is_broadcast(self) -> bool:
        return not self.recipients


@dataclass(frozen=True)
class Scheduled:
    card: str | None = None
    name: str = "scheduled"


@dataclass(frozen=True)
class Audit:
    card: str | None = None
    name: str = "audit"


@dataclass(frozen=True)
class Stats:
    card: str
    days: int = STATS_DAYS
    name: str = "stats"


@dataclass(frozen=True)
class Export:
    card: str
    include_voided: bool = False
    name: str = "export"



@dataclass(frozen=True)
class Use:
    """`use` alone shows the channel's default card, `use <card>` sets it, `use --clear` removes it."""

    card: str | None = None
    clear: bool = False
    name: str = "use"


Command = Help | Cards | Copy | Members | MemberRef | CardRef | Stamp | Push | Scheduled | Audit | Stats | Export | Use

CARD_FIRST: frozenset[str] = frozenset(SUBCOMMANDS) - {"help", "cards"}
"""Subcommands whose first argument is a card."""
DEFAULTABLE: frozenset[str] = CARD_FIRST - {"use", "audit"}
"""Subcommands whose card may be left out in a channel with a default card (`use`)."""
MAX_CARD_WORDS = 8
"""The longest run of unquoted words tried as a card name."""


@dataclass(frozen=True)
class CardWords:
    """How many leading arguments name the card (a quoted name counts as one; 0: none, the card is the
    channel's default and goes first), and the card they stand for."""

    count: int
    card: str


@dataclass(frozen=True)
class _Token:
    text: str
    end: int  # offset just past the token in the cleaned text, so free text after it keeps its spacing
    quoted: bool


_OPTION = re.compile(r"--[A-Za-z][\w-]*(=.*)?")
_NAME_WORD = re.compile(r"[^\W\d_][\w'.-]*")
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"}
_SLACK_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _plain(match: re.Match[str]) -> str:
    """What a person typed, for one piece of Slack's markup: `<target|label>` or `<target>`."""
    target, label = match.group(1), match.group(2)
    if target.startswith(("mailto:", "tel:")):
        return label or target.partition(":")[2]
    if target.startswith("!"):  # <!channel>, <!here>, <!subteam^S1|@team>, <!date^…|fallback>
        return label or "@" + target[1:].partition("^")[0]
    if target.startswith(("@", "#")):  # <@U123|ada>, <#C123|general>
        return target[0] + label.lstrip("@#") if label else target
    if label and label not in target:  # a link with its own words keeps both
        return f"{label} ({target})"
    return target


def clean(text: str) -> str:
    """Turn Slack's markup back into what the person typed (`<mailto:a@b.c|a@b.c>` → `a@b.c`, `<!channel>` →
    `@channel`, links to their URL), undo its escaping, and normalise quotes.

    Slack escapes `&`, `<` and `>` typed by people, so every `<…>` left in the text is its own markup.
    """
    text = _SLACK_MARKUP.sub(_plain, text)
    text = html.unescape(text) if "&" in text else text
    for fancy, plain in _QUOTES.items():
        text = text.replace(fancy, plain)
    return text.replace("\u00a0", " ").strip()


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] in "\"'":
            quote = text[i]
            close = text.find(quote, i + 1)
            if close < 0:
                raise CommandError(f"A {quote} quote is not closed. Put names with spaces in quotes, like \"My card\".")
            tokens.append(_Token(text[i + 1 : close], close + 1, quoted=True))
            i = close + 1
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        tokens.append(_Token(text[start:i], i, quoted=False))
    return tokens


def card_words(text: str) -> list[str]:
    """The leading arguments that may name the card, for subcommands that take one: a quoted name alone, or
    up to MAX_CARD_WORDS unquoted words before any option or quote. Empty when there is nothing to resolve."""
    cleaned = clean(text[: MAX_TEXT * 8])
    try:
        tokens = _tokens(cleaned)
    except CommandError:
        return []
    if len(cleaned) > MAX_TEXT or not tokens or tokens[0].text.lower() not in CARD_FIRST:
        return []
    args = tokens[1:]
    if args and args[0].quoted:
        return [args[0].text.strip()]
    words: list[str] = []
    for token in args[:MAX_CARD_WORDS]:
        if token.quoted or token.text.startswith("--"):
            break
        words.append(token.text)
    return words


def parse(text: str, *, max_stamps: int = 100, card: CardWords | None = None) -> Command:
    """Parse the text typed after `/loyalty`; raises CommandError with a message fit to show the user.

    `card` says which leading words name the card (found with the card list, which this parser never sees).
    """
    # Slack's escaping (`&amp;`…) makes the raw text longer than what was typed: measure what was typed.
    text = clean(text[: MAX_TEXT * 8])
    if len(text) > MAX_TEXT:
        raise CommandError(f"That command is too long ({len(text)} characters); the limit is {MAX_TEXT}.")
    if not text:
        return Help()
    head, _, _rest = text.partition(" ")
    name = head.lower()
    if name == "help":
        topic = _rest.strip().lower()
        if topic in SUBCOMMANDS and topic != "help":
            return Help(topic=topic)
        suggestion = _suggest(topic) if topic else None
        return Help(unknown=_short(topic), suggestion=suggestion) if suggestion else Help()
    if name not in SUBCOMMANDS:
        return Help(unknown=_short(head), suggestion=_suggest(name))
    parser = _PARSERS[name]
    try:
        tokens = _tokens(text)
    except CommandError as exc:
        raise CommandError(exc.message, subcommand=name) from None
    args = tokens[1:]
    if card is not None and name in CARD_FIRST and 0 <= card.count <= len(args):
        end = args[card.count - 1].end if card.count else tokens[0].end
        args = [_Token(card.card, end, quoted=True), *args[card.count:]]
    return parser(name, args, text, max_stamps)


def _suggest(name: str) -> str | None:
    close = difflib.get_close_matches(name, SUBCOMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ref(token: _Token, what: str, sub: str) -> str:
    value = token.text.strip()
    if not value:
        raise CommandError(f"The {what} is empty.", subcommand=sub)
    if len(value) > MAX_REF:
        raise CommandError(f"That {what} is too long to be real ({len(value)} characters).", subcommand=sub)
    if not token.quoted and value.startswith("--"):
        raise CommandError(f"Expected a {what}, got the option `{_short(value)}`.", subcommand=sub)
    return value


def _expect(args: list[_Token], count: int, sub: str, names: tuple[str, ...]) -> None:
    if len(args) < count:
        missing = names[len(args)]
        raise CommandError(f"The {missing} is missing.", subcommand=sub)
    if len(args) > count:
        extra = " ".join(t.text for t in args[count:])
        raise CommandError(f"I didn't expect `{_short(extra)}` at the end.", subcommand=sub)


def _cards(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    _expect(args, 0, name, ())
    return Cards()


def _card_only(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    _expect(args, 1, name, ("card",))
    return CardRef(name, _ref(args[0], "card", name))


def _name_words(args: list[_Token], count: int) -> list[_Token]:
    """`args` with the unquoted words from index 1 to `count` joined into one member, when together they read
    as a name (letters only: no id, email, option or quote among them) or as a phone number spelt with
    spaces; otherwise `args` unchanged."""
    words = args[1:count]
    if len(words) < 2 or any(t.quoted for t in words):
        return args
    text = " ".join(t.text for t in words)
    if not (all(_NAME_WORD.fullmatch(t.text) for t in words) or is_valid(text)):
        return args
    return [args[0], _Token(text, words[-1].end, quoted=True), *args[count:]]


def _member_ref(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    args = _name_words(args, len(args))
    _expect(args, 2, name, ("card", "member"))
    return MemberRef(name, _ref(args[0], "card", name), _ref(args[1], "member", name))


def _copy(name: str, args: list[_Token], text: str, _max: int) -> Command:
    if not args:
        raise CommandError("The card to copy is missing.", subcommand=name)
    card = _ref(args[0], "card", name)
    if len(args) == 1:
        return Copy(card)
    new_name = args[1].text if len(args) == 2 and args[1].quoted else text[args[0].end :].strip()
    new_name = new_name.strip()
    if not new_name:
        raise CommandError("The new name is empty.", subcommand=name)
    if len(new_name) > 50:
        raise CommandError(f"The new name is {len(new_name)} characters long; the limit is 50.", subcommand=name)
    return Copy(card, new_name)


def _members(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    include_voided = False
    rest: list[_Token] = []
    for token in args:
        if not token.quoted and token.text.lower() == "--voided":
            include_voided = True
        elif not token.quoted and token.text.startswith("--"):
            raise CommandError(f"I don't know the option `{_short(token.text)}`; try `--voided`.", subcommand=name)
        else:
            rest.append(token)
    if not rest:
        raise CommandError("The card is missing.", subcommand=name)
    words = " ".join(t.text for t in rest[1:]).strip()
    if len(words) > MAX_REF:
        raise CommandError(f"The search words are too long ({len(words)} characters).", subcommand=name)
    return Members(_ref(rest[0], "card", name), words, include_voided)


def _stamp(name: str, args: list[_Token], _text: str, max_stamps: int) -> Command:
    joined = _name_words(args, len(args))
    if joined is args and len(args) > 3 and re.fullmatch(r"[+]?\d{1,6}", args[-1].text.strip()):
        joined = _name_words(args, len(args) - 1)  # the last word is the amount
    args = joined
    if len(args) < 2:
        _expect(args, 2, name, ("card", "member"))
    if len(args) > 3:
        _expect(args, 3, name, ("card", "member", "amount"))
    amount = 1
    if len(args) == 3:
        raw = args[2].text.strip()
        if not re.fullmatch(r"[+]?\d{1,6}", raw):
            raise CommandError(f"The amount must be a whole number from 1 to {max_stamps}, not `{_short(raw)}`.",
                               subcommand=name)
        amount = int(raw)
        if not 1 <= amount <= max_stamps:
            raise CommandError(f"The amount must be from 1 to {max_stamps}; you asked for {amount}.", subcommand=name)
    return Stamp(_ref(args[0], "card", name), _ref(args[1], "member", name), amount)


_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LATER = re.compile(r"\+\d{1,5}[mhd]")
AT_FORMS = "`HH:MM`, `YYYY-MM-DD HH:MM`, or a delay like `+90m`, `+2h`, `+1d`"


def _recipients(value: _Token | None, name: str) -> tuple[str, ...]:
    if value is None:
        raise CommandError("After `--to`, list the members, separated by commas.", subcommand=name)
    parts = [part.strip() for part in value.text.split(",")]
    if any(not part for part in parts):
        raise CommandError("The member list has an empty entry; separate members with commas, no spaces.",
                           subcommand=name)
    if len(parts) > MAX_RECIPIENTS:
        raise CommandError(f"That is {len(parts)} members; a targeted push takes at most {MAX_RECIPIENTS}.",
                           subcommand=name)
    for part in parts:
        if len(part) > MAX_REF:
            raise CommandError("One of the members is too long to be real.", subcommand=name)
    return tuple(dict.fromkeys(parts))


def _at(args: list[_Token], index: int, name: str) -> tuple[str, int]:
    """The `--at` value starting at args[index] and the index after it."""
    first = args[index].text.strip() if index < len(args) else ""
    if _DAY.fullmatch(first) and index + 1 < len(args) and _CLOCK.fullmatch(args[index + 1].text):
        return f"{first} {args[index + 1].text}", index + 2
    if _CLOCK.fullmatch(first) or _LATER.fullmatch(first) or (
            _DAY.fullmatch(first[:10]) and _CLOCK.fullmatch(first[10:].strip())):
        return " ".join(first.split()), index + 1
    shown = f" (`{_short(first)}`)" if first else ""
    raise CommandError(f"After `--at`, say when to send it{shown}: {AT_FORMS}.", subcommand=name)


def _push(name: str, args: list[_Token], text: str, _max: int) -> Command:
    if not args:
        raise CommandError("The card is missing.", subcommand=name)
    card = _ref(args[0], "card", name)
    recipients: tuple[str, ...] = ()
    at: str | None = None
    index = 1
    while index < len(args) and not args[index].quoted and args[index].text.startswith("--"):
        option = args[index].text.lower()
        if option == "--to" and not recipients:
            recipients = _recipients(args[index + 1] if index + 1 < len(args) else None, name)
            index += 2
        elif option == "--at" and at is None:
            at, index = _at(args, index + 1, name)
        elif option in ("--to", "--at"):
            raise CommandError(f"`{option}` is given twice; give it once.", subcommand=name)
        else:
            raise CommandError(f"I don't know the option `{_short(args[index].text)}`; try `--to` or `--at`.",
                               subcommand=name)
    message_from = args[index - 1].end
    for token in args:
        if token.end > message_from and not token.quoted and _OPTION.fullmatch(token.text):
            raise CommandError(f"`{_short(token.text)}` came after the message: options go before it, "
                               "and the message comes last.", subcommand=name)
    message = text[message_from:].strip()
    if not message:
        raise CommandError("The message is empty: write what members should receive.", subcommand=name)
    return Push(card, message, recipients, at)


def _scheduled(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    if len(args) > 1:
        _expect(args, 1, name, ("card",))
    return Scheduled(_ref(args[0], "card", name) if args else None)


def _audit(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    if len(args) > 1:
        _expect(args, 1, name, ("card",))
    return Audit(_ref(args[0], "card", name) if args else None)


def _options(name: str, args: list[_Token], known: tuple[str, ...]) -> tuple[list[_Token], list[_Token]]:
    """Split `args` into the options named in `known` (each with the token after it, if it takes a value)
    and the rest; an unknown `--option` is refused."""
    options: list[_Token] = []
    rest: list[_Token] = []
    for token in args:
        if not token.quoted and token.text.startswith("--"):
            if token.text.lower() not in known:
                raise CommandError(f"I don't know the option `{_short(token.text)}`; try `{'`, `'.join(known)}`.",
                                   subcommand=name)
            options.append(token)
        else:
            rest.append(token)
    return options, rest


def _stats(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    days = STATS_DAYS
    rest: list[_Token] = []
    tokens = iter(args)
    for token in tokens:
        if token.quoted or token.text.lower() != "--days":
            rest.append(token)
            continue
        raw = next(tokens, None)
        if raw is None:
            raise CommandError(f"After `--days`, give a number of days from 1 to {MAX_STATS_DAYS}.", subcommand=name)
        if not re.fullmatch(r"[+]?\d{1,6}", raw.text.strip()):
            raise CommandError(f"The number of days must be a whole number from 1 to {MAX_STATS_DAYS}, "
                               f"not `{_short(raw.text)}`.", subcommand=name)
        days = int(raw.text)
        if not 1 <= days <= MAX_STATS_DAYS:
            raise CommandError(f"The number of days must be from 1 to {MAX_STATS_DAYS}; you asked for {days}.",
                               subcommand=name)
    _options(name, rest, ("--days",))
    _expect(rest, 1, name, ("card",))
    return Stats(_ref(rest[0], "card", name), days)


def _export(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    options, rest = _options(name, args, ("--voided",))
    _expect(rest, 1, name, ("card",))
    return Export(_ref(rest[0], "card", name), include_voided=bool(options))


def _use(name: str, args: list[_Token], _text: str, _max: int) -> Command:
    if len(args) == 1 and not args[0].quoted and args[0].text.lower() == "--clear":
        return Use(clear=True)
    if len(args) > 1:
        _expect(args, 1, name, ("card",))
    return Use(_ref(args[0], "card", name) if args else None)


_PARSERS = {
    "use": _use,
    "cards": _cards,
    "copy": _copy,
    "members": _members,
    "member": _member_ref,
    "add": _card_only,
    "import": _card_only,
    "edit": _member_ref,
    "stamp": _stamp,
    "redeem": _member_ref,
    "void": _member_ref,
    "delete": _member_ref,
    "push": _push,
    "scheduled": _scheduled,
    "audit": _audit,
    "stats": _stats,
    "history": _member_ref,
    "export": _export,
}
