"""Typed views of what the loyalty API returns. Lenient on input, precise in what they derive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Card(_ApiModel):
    """A loyalty card (a programme), not a member's card."""

    id: int
    code: str = ""
    name: str = ""
    domain: str | None = None
    type: str | None = None

    @field_validator("code", "name", mode="before")
    @classmethod
    def _string(cls, value: Any) -> str:
        return _text(value) or ""

    @field_validator("domain", "type", mode="before")
    @classmethod
    def _optional_string(cls, value: Any) -> str | None:
        return _text(value)

    @property
    def display_name(self) -> str:
        return self.name or self.code or str(self.id)


class Reward(_ApiModel):
    """A reward a member earned; available until used or expired."""

    id: int
    name: str = ""
    added_at: datetime | None = None
    expired_at: datetime | None = None
    used_at: datetime | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _string(cls, value: Any) -> str:
        return _text(value) or ""

    @field_validator("added_at", "expired_at", "used_at", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> datetime | None:
        return _parse_timestamp(value)

    def is_used(self) -> bool:
        return self.used_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        now = now or datetime.now()
        return not self.is_used() and self.expired_at is not None and self.expired_at <= now

    def is_available(self, now: datetime | None = None) -> bool:
        return not self.is_used() and not self.is_expired(now)


class Member(_ApiModel):
    """A member of a loyalty card (the API calls them users, and its paths `stats`)."""

    id: int
    code: str = ""
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    zip: str | None = None
    city: str | None = None
    custom_1: str | None = None
    custom_2: str | None = None
    custom_3: str | None = None
    custom_4: str | None = None
    custom_5: str | None = None
    custom_6: str | None = None
    custom_7: str | None = None
    custom_8: str | None = None
    stamps: int | None = None
    download_url: str | None = None
    created_at: datetime | None = None
    voided_at: datetime | None = None
    expired_at: datetime | None = None
    rewards: list[Reward] = Field(default_factory=list)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        return _text(value) or ""

    @field_validator(*MEMBER_FIELDS, "download_url", mode="before")
    @classmethod
    def _optional_string(cls, value: Any) -> str | None:
        return _text(value)

    @field_validator("stamps", mode="before")
    @classmethod
    def _stamps(cls, value: Any) -> int | None:
        if value is None or isinstance(value, bool):
            return None
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):  # OverflowError: "inf", 1e400
            return None

    @field_validator("created_at", "voided_at", "expired_at", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> datetime | None:
        return _parse_timestamp(value)

    @field_validator("rewards", mode="before")
    @classmethod
    def _rewards(cls, value: Any) -> list[Any]:
        if not isinstance(value, list):
            return []
        return [item for item in value if isinstance(item, dict) and _is_id(item.get("id"))]

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


class PushResult(_ApiModel):
    """What the API says after a push notification was accepted."""

    message: str = ""
    total_recipients: int = 0

    @field_validator("message", mode="before")
    @classmethod
    def _string(cls, value: Any) -> str:
        return _text(value) or ""

    @field_validator("total_recipients", mode="before")
    @classmethod
    def _count(cls, value: Any) -> int:
        try:
            return max(int(value), 0)
        except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
            return 0


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    # isascii: "²" and "١٢" are digits to str.isdigit() but not numbers to pydantic.
    return isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()
