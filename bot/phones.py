"""Phone numbers in any spelling, read with `phonenumbers` and written as E.164 (`+3225550101`). Pure."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]{6,}")
_DIGITS = re.compile(r"\D")


def digits(text: str) -> str:
    """Only the digits of `text`."""
    return _DIGITS.sub("", text)


def looks_like_phone(text: str) -> bool:
    """Whether `text` is spelt like a phone number (digits, spaces, dots, dashes, parentheses, a leading +)."""
    return bool(_PHONE_LIKE.fullmatch(text.strip())) and len(digits(text)) >= 6


def e164(text: str, region: str | None = None) -> str | None:
    """`text` as an E.164 number when it is a possible phone number, else None.

    International spellings (`+32 2 555 01 01`, `003225550101`) need no region; national ones
    (`02 555 01 01`) are read in `region` (like `BE`) when one is set.
    """
    return _e164(text.strip(), region)


@lru_cache(maxsize=32_768)
def _e164(raw: str, region: str | None) -> str | None:
    """`e164`, remembered: checking an import reads each phone up to three times (its rules, the duplicates,
    the value sent)."""
    if not looks_like_phone(raw):
        return None
    if raw.startswith("00") and region is None:
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def spellings(number: str) -> list[str]:
    """How an E.164 `number` is commonly written: E.164 itself, then international (`+32 470 12 34 56`) and
    national (`0470 12 34 56`) layouts; a member created elsewhere may be stored in any of them."""
    parsed = phonenumbers.parse(number)
    layouts = (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL)
    return list(dict.fromkeys([number, *(phonenumbers.format_number(parsed, layout) for layout in layouts)]))


def same_number(a: str, b: str, region: str | None = None) -> bool:
    """Whether two spellings are one phone number (by E.164 when both read, else by their digits)."""
    first, second = e164(a, region), e164(b, region)
    if first and second:
        return first == second
    return bool(digits(a)) and digits(a) == digits(b)


def is_valid(text: str) -> bool:
    """Whether `text` is an international number that exists in its country's numbering plan (stricter than
    `e164`'s "possible": it tells `+32 2 555 01 01` from the same digits with a stamp amount after them)."""
    number = e164(text)
    return number is not None and phonenumbers.is_valid_number(phonenumbers.parse(number))
