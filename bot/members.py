"""The member form's rules: what each field may hold, and which fields an edit really changed. Pure: no I/O.

Edits are compared with what the form *showed* (a fingerprint of each prefilled value), not with the member
as it is at submission: a field the user left alone is never sent, so an edit cannot undo a colleague's
change to another field made while the form was open. Clearing a field sends an empty string, which the
API takes as "remove this value".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from bot.coupontools.models import CUSTOM_FIELDS, MEMBER_FIELDS, Member
from bot.phones import e164

LABELS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "zip": "Zip code",
    "city": "City",
    **{name: f"Custom {name.removeprefix('custom_')}" for name in CUSTOM_FIELDS},
}
"""How the form names each field, in MEMBER_FIELDS order."""

LIMITS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 32,
    "address": 255,
    "zip": 20,
    "city": 100,
    **dict.fromkeys(CUSTOM_FIELDS, 255),
}
"""The longest value each field takes (the API publishes none; these match what it is known to accept)."""

IDENTIFYING: tuple[str, ...] = ("first_name", "last_name", "email", "phone")
"""A member needs at least one of these, or nobody could find them again."""

PREFILL_MAX = 3000
"""The longest text a Slack input can be prefilled with."""
PHONE_DIGITS = (6, 20)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9 ()\-]+")
_FINGERPRINT_LENGTH = 16


def clean(values: Mapping[str, str | None]) -> dict[str, str]:
    """Every form field, stripped, with "" for an empty or missing one; unknown names are dropped."""
    return {name: (values.get(name) or "").strip() for name in MEMBER_FIELDS}


def field_problem(name: str, value: str, region: str | None = None) -> str | None:
    """What is wrong with one non-empty value, in words for the field's hint; None when it is fine.

    A phone is read in `region` (`LOYALTY_PHONE_REGION`, like `BE`) when one is set, so a national number that
    cannot exist there is refused; without one, only international spellings can be checked.
    """
    limit = LIMITS[name]
    if len(value) > limit:
        return f"At most {limit} characters; this is {len(value)}."
    if name == "email" and not _EMAIL.fullmatch(value):
        return "That doesn't look like an email address (like name@example.com)."
    if name == "phone":
        digits = sum(char.isdigit() for char in value)
        low, high = PHONE_DIGITS
        if not _PHONE.fullmatch(value) or not low <= digits <= high:
            return (f"A phone number has {low} to {high} digits and may also hold spaces, "
                    "a leading +, dashes and parentheses.")
        if value.startswith(("+", "00")) and e164(value) is None:
            return "That number cannot exist: check the country code and the number of digits."
        if region and e164(value, region) is None:
            return (f"That number cannot exist in {region}: check the number of digits, or write it with its "
                    "country code (like +32 …).")
    return None


def stored_phone(value: str, region: str | None = None) -> str:
    """How a phone is sent to the API: E.164 when it reads as a number (national ones in `region`), else as
    typed."""
    return e164(value, region) or value if value else value


def problems(values: Mapping[str, str], *, check: Iterable[str] | None = None,
             region: str | None = None) -> dict[str, str]:
    """Field name -> what is wrong, for cleaned `values`; only the fields in `check` (all by default).

    Edits check only the fields they change, so a value the API already holds in another shape does not
    block fixing a different field. Missing identification is reported on the first name, and for an edit
    only when it changes an identifying field.
    """
    checked = list(MEMBER_FIELDS if check is None else check)
    found: dict[str, str] = {}
    for name in checked:
        value = values.get(name, "")
        if value and (problem := field_problem(name, value, region)):
            found[name] = problem
    touches_identity = any(name in IDENTIFYING for name in checked)
    if touches_identity and not any(values.get(name) for name in IDENTIFYING):
        found.setdefault("first_name", "Give at least a name, an email address or a phone number.")
    return found


def fingerprint(value: str | None) -> str:
    """A short digest of a stripped value, so the form can remember what it showed without holding it."""
    return hashlib.sha256((value or "").strip().encode()).hexdigest()[:_FINGERPRINT_LENGTH]


def prefill(member: Member) -> tuple[dict[str, str], dict[str, str]]:
    """The values an edit form shows, and their fingerprints.

    A value too long for a Slack input is left out of both: its field shows empty, and empty then means
    "keep it", so saving the form can never cut or clear it by accident.
    """
    values = {name: value for name, value in member.fields().items() if len(value) <= PREFILL_MAX}
    return values, {name: fingerprint(value) for name, value in values.items() if value.strip()}


def changes(values: Mapping[str, str], shown: Mapping[str, str], region: str | None = None) -> dict[str, str]:
    """The fields whose cleaned value differs from what the form showed (`shown`: fingerprints by name).

    A field emptied by the user maps to "" (the API then removes it); fields left alone are absent.
    """
    empty = fingerprint("")
    return {
        name: stored_phone(value, region) if name == "phone" else value
        for name in MEMBER_FIELDS
        if fingerprint(value := values.get(name, "")) != shown.get(name, empty)
    }


def new_member_fields(values: Mapping[str, str], region: str | None = None) -> dict[str, str]:
    """What a create sends: the filled-in fields only."""
    return {name: stored_phone(value, region) if name == "phone" else value for name, value in values.items() if value}
