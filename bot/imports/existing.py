"""Which rows of an import a member of the card already has (by email, or by phone in any spelling): the preview
sets them aside as duplicates. The only part of checking an import that asks the API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from bot.coupontools.models import Card, Member
from bot.coupontools.paging import WHOLE_LIST_PAGE
from bot.imports.check import Checked, Duplicate
from bot.lookup import Lookup
from bot.phones import digits, e164

SEARCH_AT_MOST = 20
"""Up to this many emails and phones, each is looked up with the API's exact search (one call, two for a phone
stored in another spelling); more, and the card's whole member list is read once instead (a call per
500 members), so a big file never costs a call per row."""


def _phone_keys(phone: str, region: str | None) -> Iterator[str]:
    """Every key a phone may match by: its E.164 form and, for numbers stored in another spelling, its digits."""
    if number := e164(phone, region):
        yield number
    if found := digits(phone):
        yield f"digits:{found}"


def _keys(member: Member, region: str | None) -> Iterator[tuple[str, str]]:
    if member.email and member.email.strip():
        yield "email", member.email.strip().casefold()
    if member.phone:
        yield from (("phone", key) for key in _phone_keys(member.phone, region))


def _row_keys(checked: Checked) -> Iterator[tuple[tuple[int, tuple[str, ...], int], str, str, list[str]]]:
    """Each good row's email and phone with the keys to match them by."""
    fields = checked.table.fields
    for row in checked.ok:
        values = dict(zip(fields, row[1], strict=True))
        if email := values.get("email"):
            yield row, "email", email, [email.strip().casefold()]
        if phone := values.get("phone"):
            yield row, "phone", phone, list(_phone_keys(phone, checked.region))


def _who(member: Member) -> str:
    name = member.full_name if (member.first_name or member.last_name or "").strip() else ""
    about = ", ".join(part for part in (name, "voided" if member.is_voided else "") if part)
    return f"member {member.id}" + (f" ({about})" if about else "")


def find_existing(lookup: Lookup, card: Card, checked: Checked) -> list[Duplicate]:
    """The good rows whose email or phone a member of `card` (voided ones too, as `add` warns) already has.

    The card's members stream past one page at a time; only those matching a row are remembered, so a card of
    100,000 members costs no more memory than one of 100."""
    wanted = list(_row_keys(checked))
    if not wanted:
        return []
    members: Iterable[Member]
    if len({value for _row, _field, value, _keys in wanted}) <= SEARCH_AT_MOST:
        members = chain.from_iterable(lookup.find_members(card, value) for _row, _field, value, _keys in wanted)
    else:
        members = lookup.client.iter_members(card.id, include_voided=True, page_size=WHOLE_LIST_PAGE)
    looked_for = {(field, key) for _row, field, _value, keys in wanted for key in keys}
    owners: dict[tuple[str, str], str] = {}
    for member in members:
        for key in _keys(member, checked.region):
            if key in looked_for and key not in owners:
                owners[key] = _who(member)
    found: dict[int, Duplicate] = {}
    for row, field, value, keys in wanted:
        owner = next((owners[(field, key)] for key in keys if (field, key) in owners), None)
        if owner is not None and row[0] not in found:
            found[row[0]] = Duplicate(row, field, value, owner)
    return list(found.values())
