"""Checks on what callers ask the store to keep: JSON only, and never a member's contact details."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

# Member fields that identify or reach a person (see bot.coupontools.models.MEMBER_FIELDS), plus the
# spellings a handler might plausibly use for them. Custom fields hold whatever a shop chose: treat
# all of them as personal.
CONTACT_KEYS: frozenset[str] = frozenset(
    {
        "email", "e_mail", "mail", "phone", "phone_number", "mobile", "telephone",
        "first_name", "last_name", "firstname", "lastname", "full_name",
        "address", "street", "zip", "zipcode", "zip_code", "postal_code", "postcode", "city",
    }
)
_CUSTOM_FIELD = re.compile(r"custom_?\d+")

MAX_DETAIL = 2000
"""Longest outcome detail or reason kept; a detail is a summary, not a dump."""


def _normalise_key(key: str) -> str:
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def is_contact_key(key: str) -> bool:
    """True when a params key names a contact detail (email, phone, name, address, custom_N…)."""
    normalised = _normalise_key(key)
    return normalised in CONTACT_KEYS or _CUSTOM_FIELD.fullmatch(normalised) is not None


def refuse_contact_details(value: Any, path: str = "params") -> None:
    """Raise ValueError naming the first contact-detail key found at any depth; never shows values."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path} keys must be strings")
            if is_contact_key(key):
                raise ValueError(f"{path}.{key} looks like a member's contact detail: the audit log never keeps those")
            refuse_contact_details(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            refuse_contact_details(item, f"{path}[{index}]")


def as_json(value: Any, what: str) -> Any:
    """A JSON round-trip of `value`, so what is read back equals what was stored (tuples become lists)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        # The message names the type only (json's own wording), never the value itself.
        raise ValueError(f"{what} must be JSON: {exc}") from None


def member_id_list(member_ids: Any, what: str = "member_ids") -> list[int]:
    """Member ids as a list of ints; refuses anything else (an email pasted as a member id, say)."""
    ids: list[int] = []
    for member_id in member_ids:
        if isinstance(member_id, bool) or not isinstance(member_id, int):
            raise ValueError(f"{what} must be integers, got a {type(member_id).__name__}")
        ids.append(member_id)
    return ids


def clip_detail(detail: str | None) -> str | None:
    """`detail` cut to MAX_DETAIL characters."""
    return detail[:MAX_DETAIL] if detail is not None else None
