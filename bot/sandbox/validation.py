"""Reads request bodies into plain values, refusing bad ones the way the API does (422, codes 200/301/302)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import (
    BAD_NUMBER_OR_ID,
    BAD_VALUE,
    MISSING_PARAMETER,
    VALUE_NOT_ALLOWED,
    FieldProblem,
    ValidationFailed,
    invalid,
)

# The longest value the sandbox accepts per member field; the vendor does not publish its own limits.
MEMBER_FIELD_LIMITS: dict[str, int] = {
    "first_name": 100, "last_name": 100, "email": 254, "phone": 32, "address": 255, "zip": 20, "city": 100,
    **{f"custom_{n}": 255 for n in range(1, 9)},
}
CARD_NAME_LIMIT = 50
PUSH_MESSAGE_LIMIT = 1000
MAX_STAMPS_PER_REQUEST = 1000
MAX_BULK_ROWS = 1000
DEFAULT_PAGE_LIMIT = 500
MAX_PAGE_LIMIT = 500

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,}$")


@dataclass(frozen=True)
class ListQuery:
    """What the member list was asked for."""

    keyword: str = ""
    strict: bool = False
    include_voided: bool = False
    page: int = 1
    limit: int = DEFAULT_PAGE_LIMIT


def _object(body: Any, *, optional: bool = False) -> dict[str, Any]:
    if body is None and optional:
        return {}
    if not isinstance(body, dict):
        raise invalid(BAD_VALUE, "body: expected a JSON object")
    return body


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _member_problems(row: Any, prefix: str = "") -> tuple[dict[str, str], list[FieldProblem]]:
    if not isinstance(row, dict):
        return {}, [FieldProblem(BAD_VALUE, f"{prefix}expected a JSON object")]
    fields: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for name, value in row.items():
        where = f"{prefix}{name}"
        if name not in MEMBER_FIELD_LIMITS:
            problems.append(FieldProblem(VALUE_NOT_ALLOWED, f"{where}: unknown field"))
        elif not isinstance(value, str):
            problems.append(FieldProblem(VALUE_NOT_ALLOWED, f"{where}: must be a string"))
        elif len(value) > MEMBER_FIELD_LIMITS[name]:
            problems.append(FieldProblem(
                VALUE_NOT_ALLOWED, f"{where}: longer than {MEMBER_FIELD_LIMITS[name]} characters"))
        elif name == "email" and value and not _EMAIL.match(value.strip()):
            problems.append(FieldProblem(VALUE_NOT_ALLOWED, f"{where}: not a valid email address"))
        elif name == "phone" and value and not _PHONE.match(value.strip()):
            problems.append(FieldProblem(VALUE_NOT_ALLOWED, f"{where}: not a valid phone number"))
        else:
            fields[name] = value.strip()
    return fields, problems


def member_fields(body: Any) -> dict[str, str]:
    """The fields of a create or update; an empty string clears a field on update."""
    fields, problems = _member_problems(_object(body, optional=True))
    if problems:
        raise ValidationFailed(problems)
    return fields


def member_rows(body: Any) -> list[dict[str, str]]:
    """The rows of a bulk create; any bad row refuses the whole request, naming each row (1-based)."""
    if not isinstance(body, list):
        raise invalid(BAD_VALUE, "body: expected a JSON array of users")
    if not body:
        raise invalid(MISSING_PARAMETER, "body: at least one user is required")
    if len(body) > MAX_BULK_ROWS:
        raise invalid(VALUE_NOT_ALLOWED, f"body: at most {MAX_BULK_ROWS} users per request")
    rows: list[dict[str, str]] = []
    problems: list[FieldProblem] = []
    for number, row in enumerate(body, start=1):
        fields, row_problems = _member_problems(row, prefix=f"row {number}: ")
        rows.append(fields)
        problems.extend(row_problems)
    if problems:
        raise ValidationFailed(problems)
    return rows


def stamp_amount(body: Any) -> int:
    """`amount`: a whole number of stamps, at least 1."""
    amount = _object(body).get("amount")
    if amount is None:
        raise invalid(MISSING_PARAMETER, "amount: required")
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    if not _is_int(amount):
        raise invalid(BAD_NUMBER_OR_ID, "amount: must be a whole number")
    if not 1 <= amount <= MAX_STAMPS_PER_REQUEST:
        raise invalid(VALUE_NOT_ALLOWED, f"amount: must be between 1 and {MAX_STAMPS_PER_REQUEST}")
    return amount


def _id_list(value: Any, name: str) -> list[int]:
    if not isinstance(value, list):
        raise invalid(BAD_NUMBER_OR_ID, f"{name}: must be a list of ids")
    ids: list[int] = []
    for item in value:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if not _is_int(item) or item < 1:
            raise invalid(BAD_NUMBER_OR_ID, f"{name}: every item must be a numeric id")
        ids.append(item)
    return ids


def reward_ids(body: Any) -> list[int]:
    """`reward_ids`: a non-empty list of the member's reward ids."""
    value = _object(body).get("reward_ids")
    if value is None or value == []:
        raise invalid(MISSING_PARAMETER, "reward_ids: required")
    return list(dict.fromkeys(_id_list(value, "reward_ids")))


def copy_name(body: Any) -> str | None:
    """The optional `name` of a copied card, at most 50 characters."""
    name = _object(body, optional=True).get("name")
    if name is None:
        return None
    if not isinstance(name, str):
        raise invalid(VALUE_NOT_ALLOWED, "name: must be a string")
    if len(name) > CARD_NAME_LIMIT:
        raise invalid(VALUE_NOT_ALLOWED, f"name: longer than {CARD_NAME_LIMIT} characters")
    return name.strip() or None


def push_request(body: Any) -> tuple[str, list[int] | None]:
    """`message` and the optional `recipient_stat_ids`; an empty list counts as absent, as documented."""
    data = _object(body)
    message = data.get("message")
    if message is None or (isinstance(message, str) and not message.strip()):
        raise invalid(MISSING_PARAMETER, "message: required")
    if not isinstance(message, str):
        raise invalid(VALUE_NOT_ALLOWED, "message: must be a string")
    if len(message) > PUSH_MESSAGE_LIMIT:
        raise invalid(VALUE_NOT_ALLOWED, f"message: longer than {PUSH_MESSAGE_LIMIT} characters")
    recipients = data.get("recipient_stat_ids")
    if recipients is None:
        return message, None
    ids = list(dict.fromkeys(_id_list(recipients, "recipient_stat_ids")))
    return message, ids or None


def list_query(body: Any) -> ListQuery:
    """The member list's JSON body: `filter` {keyword, strict}, `include_voided`, `pagination` {page, limit}."""
    data = _object(body, optional=True)
    filter_ = data.get("filter") or {}
    pagination = data.get("pagination") or {}
    if not isinstance(filter_, dict):
        raise invalid(BAD_VALUE, "filter: expected an object")
    if not isinstance(pagination, dict):
        raise invalid(BAD_VALUE, "pagination: expected an object")
    keyword = filter_.get("keyword") or ""
    if not isinstance(keyword, str):
        raise invalid(VALUE_NOT_ALLOWED, "filter.keyword: must be a string")
    strict = filter_.get("strict", False)
    include_voided = data.get("include_voided", False)
    for name, flag in (("filter.strict", strict), ("include_voided", include_voided)):
        if not isinstance(flag, bool):
            raise invalid(VALUE_NOT_ALLOWED, f"{name}: must be true or false")
    page = pagination.get("page", 1)
    limit = pagination.get("limit", DEFAULT_PAGE_LIMIT)
    for name, number in (("pagination.page", page), ("pagination.limit", limit)):
        if not _is_int(number):
            raise invalid(BAD_NUMBER_OR_ID, f"{name}: must be a whole number")
    if page < 1:
        raise invalid(VALUE_NOT_ALLOWED, "pagination.page: must be 1 or more")
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise invalid(VALUE_NOT_ALLOWED, f"pagination.limit: must be between 1 and {MAX_PAGE_LIMIT}")
    return ListQuery(keyword=keyword.strip(), strict=strict, include_voided=include_voided, page=page, limit=limit)
