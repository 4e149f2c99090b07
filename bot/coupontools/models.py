"""Typed views of what the loyalty API returns. Lenient on input, precise in what they derive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, GetPydanticSchema
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

MEMBER_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "email", "phone", "address", "zip", "city",
    *(f"custom_{n}" for n in range(1, 9)),
)
"""The fields a member can be created or updated with, in the order forms show them."""

CUSTOM_FIELDS: tuple[str, ...] = tuple(f"custom_{n}" for n in range(1, 9))


def _parse_timestamp(value: Any) -> datetime | None:
    """The API writes `YYYY-MM-DD HH:MM:SS` without a zone; anything unreadable counts as unset."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _stamps(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: "inf", 1e400
        return None


def _count(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
        return 0


def _rewards(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and _is_id(item.get("id"))]


def _lenient(expected: list[CoreSchema], convert: Callable[[Any], Any]) -> GetPydanticSchema:
    """A field type that takes values already of the `expected` types as they are, inside pydantic-core,
    and hands any other value to `convert` in Python.

    Answers are read per member per field (a bulk import of 10,000 rows reads 200,000 values): a Python
    validator on every field took ~12 µs a member, this ~7. `convert` must give the value as-is for the
    expected types too, so the result never depends on which path took it.
    """
    schema = cs.union_schema([*expected, cs.no_info_plain_validator_function(convert)], mode="left_to_right")
    return GetPydanticSchema(lambda _source, _handler: schema)


# int(float(value)) is exact up to 2**53; larger whole numbers are left to _stamps, which rounds them.
_EXACT_INT = cs.int_schema(strict=True, ge=-(2**53), le=2**53)

_Text = Annotated[str | None, _lenient([cs.str_schema(strict=True), cs.none_schema()], _text)]
"""Text the API may send as a number, a boolean or anything else: numbers and booleans as text, others unset."""
_Label = Annotated[str, _lenient([cs.str_schema(strict=True)], lambda value: _text(value) or "")]
"""Like _Text, with "" for unset."""
# The API's own format, with a time of day Python accepts: read natively. Anything else (zones, fractions,
# dates like 02-30) goes to _parse_timestamp, which decides.
_API_TIME = cs.chain_schema([
    cs.str_schema(strict=True, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"),
    cs.datetime_schema(),
])
_Timestamp = Annotated[datetime | None, _lenient([cs.none_schema(), _API_TIME], _parse_timestamp)]
_Stamps = Annotated[int | None, _lenient([_EXACT_INT, cs.none_schema()], _stamps)]
_Count = Annotated[int, _lenient([cs.int_schema(strict=True, ge=0)], _count)]
"""A count that is never negative; unreadable counts are 0."""


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Card(_ApiModel):
    """A loyalty card (a programme), not a member's card."""

    id: int
    code: _Label = ""
    name: _Label = ""
    domain: _Text = None
    type: _Text = None

    @property
    def display_name(self) -> str:
        return self.name or self.code or str(self.id)


class Reward(_ApiModel):
    """A reward a member earned; available until used or expired."""

    id: int
    name: _Label = ""
    added_at: _Timestamp = None
    expired_at: _Timestamp = None
    used_at: _Timestamp = None

    def is_used(self) -> bool:
        return self.used_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        now = now or datetime.now()
        return not self.is_used() and self.expired_at is not None and self.expired_at <= now

    def is_available(self, now: datetime | None = None) -> bool:
        return not self.is_used() and not self.is_expired(now)


_Rewards = Annotated[
    list[Reward],
    GetPydanticSchema(lambda source, handler: cs.union_schema([
        cs.list_schema(strict=True, max_length=0),  # most members have none: no Python call for them
        cs.no_info_before_validator_function(_rewards, handler(source)),
    ], mode="left_to_right")),
]
"""Rewards without a usable id are dropped rather than failing the member."""


class Member(_ApiModel):
    """A member of a loyalty card (the API calls them users, and its paths `stats`)."""

    id: int
    code: _Label = ""
    first_name: _Text = None
    last_name: _Text = None
    email: _Text = None
    phone: _Text = None
    address: _Text = None
    zip: _Text = None
    city: _Text = None
    custom_1: _Text = None
    custom_2: _Text = None
    custom_3: _Text = None
    custom_4: _Text = None
    custom_5: _Text = None
    custom_6: _Text = None
    custom_7: _Text = None
    custom_8: _Text = None
    stamps: _Stamps = None
    download_url: _Text = None
    created_at: _Timestamp = None
    voided_at: _Timestamp = None
    expired_at: _Timestamp = None
    rewards: _Rewards = Field(default_factory=list)

    @property
    def full_name(self) -> str:
        """First and last name, or a neutral label when the member has neither."""
        name = " ".join(part.strip() for part in (self.first_name, self.last_name) if part and part.strip())
        return name or f"Member {self.code or self.id}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def custom_fields(self) -> dict[str, str]:
        """The custom fields that are set, by API name (`custom_1`…)."""
        return {name: value for name in CUSTOM_FIELDS if (value := getattr(self, name))}

    def fields(self) -> dict[str, str]:
        """The editable fields that are set, by API name; what an edit form is prefilled with."""
        return {name: value for name in MEMBER_FIELDS if (value := getattr(self, name))}

    def available_rewards(self, now: datetime | None = None) -> list[Reward]:
        return [reward for reward in self.rewards if reward.is_available(now)]

    def used_rewards(self) -> list[Reward]:
        return [reward for reward in self.rewards if reward.is_used()]

    def expired_rewards(self, now: datetime | None = None) -> list[Reward]:
        return [reward for reward in self.rewards if reward.is_expired(now)]


class CreatedMember(BaseModel):
    """What a bulk create needs of each new member: its id, code and wallet link, read like Member's.

    A bulk answer holds every field of every member created; building full `Member` models for 10,000
    of them cost more than sending them on loopback. The other fields are skipped, not checked.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    code: _Label = ""
    download_url: _Text = None


class PushResult(_ApiModel):
    """What the API says after a push notification was accepted."""

    message: _Label = ""
    total_recipients: _Count = 0


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    # isascii: "²" and "١٢" are digits to str.isdigit() but not numbers to pydantic.
    return isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()
