"""LoyaltyClient: typed access to the twelve endpoints of the Coupontools v4 loyalty API.

Our word is "member" where the API says user and its paths say `stats`. Every failure is a
CoupontoolsError (see errors.py); the retry policy is described in transport.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from bot.coupontools.errors import ApiUnavailable, CoupontoolsError, InvalidInput, OutcomeUnknown
from bot.coupontools.models import MEMBER_FIELDS, Card, CreatedMember, Member, PushResult
from bot.coupontools.paging import iterate_pages, pagination
from bot.coupontools.transport import ApiSession

T = TypeVar("T")

CARD_NAME_MAX = 50
_CARDS = "/loyalty/loyalty-cards"
_SEARCH_FIELDS = ("keyword", "strict", "include_voided", "page", "limit")
_MEMBER_FIELD_SET = frozenset(MEMBER_FIELDS)
_TEXT_TYPE = frozenset({str})


def _positive_int(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{field} must be a positive whole number", field=field)
    return value


def _member_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """The fields as the API takes them; refuses names the API does not know rather than dropping them."""
    # A plain dict is only read and sent, never kept or changed: no copy (bulk chunks are copied already).
    body = fields if type(fields) is dict else dict(fields)
    # Known names and plain text, told with set operations (a bulk import has 100,000 values); the loop
    # finds and words what is wrong, and lets subclasses of str through.
    if body.keys() <= _MEMBER_FIELD_SET and set(map(type, body.values())) <= _TEXT_TYPE:
        return body
    for name, value in body.items():
        if name not in MEMBER_FIELDS:
            raise InvalidInput(f"{name!r} is not a member field", field=str(name))
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must be text", field=name)
    return body


def _list_of(model: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    def parse(data: Any) -> list[T]:
        if not isinstance(data, list):
            raise TypeError("expected a JSON array")
        return [model(item) for item in data]

    return parse


_card = Card.model_validate
_member = Member.model_validate
_cards = _list_of(Card.model_validate)
_members = _list_of(Member.model_validate)
# A bulk answer is read in one call into pydantic-core (a JSON array of objects, or a ValidationError).
_created = TypeAdapter(list[CreatedMember]).validate_python
_CHANGE_UNREADABLE = (
    "The loyalty API accepted a change but answered with a body it should not; check before retrying"
)

class LoyaltyClient:
    """A synchronous client for one Coupontools account; one connection pool per instance.

    Use as a context manager, or call close(). `transport` replaces the network (tests pass
    `httpx.MockTransport`); `sleep` is what waits between retries (tests record instead of sleeping).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: httpx.Timeout | None = None,
        transport: httpx.BaseTransport | None = None,
        retry_budget: float = 10.0,
        max_attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._session = ApiSession(
            base_url, api_key, api_secret, timeout=timeout, transport=transport,
            retry_budget=retry_budget, max_attempts=max_attempts, sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"LoyaltyClient(base_url={self._session.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        self._session.close()

    # -- cards -------------------------------------------------------------------------------------

    def list_cards(self) -> list[Card]:
        """Every loyalty card of the account."""
        return self._read(_CARDS, _cards)

    def copy_card(self, card_id: int, name: str | None = None) -> Card:
        """A copy of the card, named `name` (at most 50 characters) or as the API chooses."""
        body: dict[str, Any] = {}
        if name is not None:
            if len(name) > CARD_NAME_MAX:
                raise InvalidInput(f"name must be at most {CARD_NAME_MAX} characters", field="name")
            body["name"] = name
        return self._change("POST", f"{self._card(card_id)}/copy", body, _card, fields=("name",))

    # -- members: reading --------------------------------------------------------------------------

    def search_members(
        self,
        card_id: int,
        keyword: str | None = None,
        *,
        strict: bool = False,
        include_voided: bool = False,
        page: int = 1,
        limit: int = 10,
    ) -> list[Member]:
        """One page (1-based) of the card's members, filtered by `keyword` when given."""
        body: dict[str, Any] = {"include_voided": include_voided}
        if keyword is not None:
            body["filter"] = {"keyword": keyword, "strict": strict}
        body.update(pagination(_positive_int(page, "page"), _positive_int(limit, "limit")))
        return self._read(f"{self._card(card_id)}/stats", _members, json=body, fields=_SEARCH_FIELDS)

    def iter_members(
        self,
        card_id: int,
        keyword: str | None = None,
        *,
        strict: bool = False,
        include_voided: bool = False,
        page_size: int = 100,
    ) -> Iterator[Member]:
        """Every matching member, fetching pages as the caller iterates."""
        _positive_int(page_size, "page_size")

        def fetch(page: int, limit: int) -> list[Member]:
            return self.search_members(
                card_id, keyword, strict=strict, include_voided=include_voided, page=page, limit=limit
            )

        return iterate_pages(fetch, page_size, key=lambda member: member.id)

    def count_members(self, card_id: int, *, include_voided: bool = False) -> int:
        """How many members the card has (the API has no count, so this pages through them)."""
        return sum(1 for _ in self.iter_members(card_id, include_voided=include_voided))

    def get_member(self, card_id: int, member_id: int) -> Member:
        """One member of the card."""
        return self._read(self._member(card_id, member_id), _member)

    # -- members: changing -------------------------------------------------------------------------

    def create_member(self, card_id: int, fields: Mapping[str, str]) -> Member:
        """A new member with the given fields (names from MEMBER_FIELDS, all optional)."""
        body = _member_fields(fields)
        return self._change("POST", f"{self._card(card_id)}/stats", body, _member, fields=MEMBER_FIELDS)

    def create_chunk(self, card_id: int, rows: Sequence[Mapping[str, str]]) -> list[CreatedMember]:
        """Create one chunk of members in one bulk call: their ids, codes and wallet links, in row order.

        Never resent: a chunk whose answer was lost raises OutcomeUnknown, and only the caller can tell (by
        looking the rows up) which of them became members.
        """
        body = [_member_fields(row) for row in rows]
        return self._change("POST", f"{self._card(card_id)}/stats/bulk", body, _created, fields=MEMBER_FIELDS)

    def update_member(self, card_id: int, member_id: int, fields: Mapping[str, str]) -> Member:
        """The member after changing only the given fields."""
        body = _member_fields(fields)
        if not body:
            raise InvalidInput("nothing to update: no fields were given")
        return self._change("POST", self._member(card_id, member_id), body, _member, fields=MEMBER_FIELDS)

    def add_stamps(self, card_id: int, member_id: int, amount: int) -> Member:
        """The member after adding `amount` (at least 1) stamps."""
        body = {"amount": _positive_int(amount, "amount")}
        return self._change(
            "POST", f"{self._member(card_id, member_id)}/stamps", body, _member, fields=("amount",)
        )

    def use_rewards(self, card_id: int, member_id: int, reward_ids: Sequence[int]) -> Member:
        """The member after using the given (non-expired) rewards."""
        ids = [_positive_int(reward_id, "reward_ids") for reward_id in reward_ids]
        if not ids:
            raise InvalidInput("choose at least one reward to use", field="reward_ids")
        return self._change(
            "PUT", f"{self._member(card_id, member_id)}/rewards", {"reward_ids": ids}, _member,
            fields=("reward_ids",),
        )

    def void_member(self, card_id: int, member_id: int) -> Member:
        """The member after voiding their card."""
        return self._change("PUT", f"{self._member(card_id, member_id)}/void", None, _member)

    def delete_member(self, card_id: int, member_id: int) -> None:
        """Delete the member; whatever body the API answers with is ignored."""
        self._session.request("DELETE", self._member(card_id, member_id))

    # -- pushes ------------------------------------------------------------------------------------

    def push(self, card_id: int, message: str, recipient_ids: Sequence[int] | None = None) -> PushResult:
        """Send a push notification: to the given members, or to ALL members when `recipient_ids` is None."""
        if not message.strip():
            raise InvalidInput("the message is empty", field="message")
        body: dict[str, Any] = {"message": message}
        if recipient_ids is not None:
            # An empty list must not reach the API, which sends to everyone when no recipients are named.
            ids = [_positive_int(member_id, "recipient_stat_ids") for member_id in recipient_ids]
            if not ids:
                raise InvalidInput("no recipients: pass None to send to every member", field="recipient_ids")
            body["recipient_stat_ids"] = ids
        return self._change(
            "POST", f"{self._card(card_id)}/push-notifications", body, PushResult.model_validate,
            fields=("message", "recipient_stat_ids"),
        )

    # -- plumbing ----------------------------------------------------------------------------------

    @staticmethod
    def _card(card_id: int) -> str:
        return f"{_CARDS}/{_positive_int(card_id, 'card_id')}"

    def _member(self, card_id: int, member_id: int) -> str:
        return f"{self._card(card_id)}/stats/{_positive_int(member_id, 'member_id')}"

    def _read(
        self, path: str, parse: Callable[[Any], T], *, json: Any = None, fields: Sequence[str] = ()
    ) -> T:
        response = self._session.request("GET", path, json=json, fields=fields)
        return _parse(response, parse, ApiUnavailable, "The loyalty API answered with a body it should not")

    def _change(
        self, method: str, path: str, json: Any, parse: Callable[[Any], T], *, fields: Sequence[str] = ()
    ) -> T:
        response = self._session.request(method, path, json=json, fields=fields)
        # The API said yes but its answer is unreadable: the change most likely happened, so it must
        # not look like a failure that is safe to try again.
        try:
            return _parse(response, parse, OutcomeUnknown, _CHANGE_UNREADABLE)
        except OutcomeUnknown:
            self._session.count_unknown(path)
            raise


def _parse(
    response: httpx.Response, parse: Callable[[Any], T], error: type[CoupontoolsError], message: str
) -> T:
    """The parsed body of a 2xx answer, or `error` when it is not JSON of the expected shape."""
    try:
        return parse(response.json())
    except ValidationError as exc:
        # Name where the body went wrong, never what it held: pydantic's text quotes members' values.
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) or "the top level"
        failure = error(f"{message} (HTTP {response.status_code}, at {where})", status=response.status_code)
    except (ValueError, TypeError, KeyError, ArithmeticError):
        failure = error(f"{message} (HTTP {response.status_code})", status=response.status_code)
    raise failure from None
