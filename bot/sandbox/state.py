"""The sandbox's memory: cards, members, rewards and pushes, behind one lock, optionally saved to a JSON file."""

from __future__ import annotations

import copy
import json
import os
import random
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.sandbox import seed as demo
from bot.sandbox.errors import VALUE_NOT_ALLOWED, SandboxError, card_not_found, member_not_found
from bot.sandbox.validation import ListQuery

_STATE_VERSION = 1
_CARD_FIELDS = ("id", "code", "name", "domain", "type")
_SEARCHED_FIELDS = ("first_name", "last_name", "email", "phone", "code")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.strptime(value, demo.TIME_FORMAT) if value else None


class SandboxState:
    """Cards, members and pushes the sandbox serves. Every method takes the lock; results are copies.

    Tests may read `cards`, `members` (dicts keyed by id, members carry their `card_id`) and `pushes`
    (dicts with `card_id`, `message`, `recipient_ids`, `total_recipients`, `sent_at`) directly.
    """

    def __init__(self, seed: int = 1, *, now: Callable[[], datetime] = datetime.now) -> None:
        self.lock = threading.RLock()
        self.now = now
        self.seed = seed
        self.cards: dict[int, dict[str, Any]] = {}
        self.members: dict[int, dict[str, Any]] = {}
        self.pushes: list[dict[str, Any]] = []
        self.next_member_id = demo.FIRST_GENERATED_MEMBER_ID
        self.next_reward_id = 1
        self.reseed(seed)

    # --- lifecycle -------------------------------------------------------------------------------------

    def reseed(self, seed: int | None = None) -> None:
        """Forget everything and load the demo data for `seed` (the current one when None)."""
        with self.lock:
            self.seed = self.seed if seed is None else seed
            data = demo.build(self.seed, self.now())
            self.cards, self.members, self.pushes = data.cards, data.members, []
            self.next_member_id, self.next_reward_id = data.next_member_id, data.next_reward_id

    def to_dict(self) -> dict[str, Any]:
        """Everything, as JSON-ready data."""
        with self.lock:
            return copy.deepcopy({
                "version": _STATE_VERSION,
                "seed": self.seed,
                "next_member_id": self.next_member_id,
                "next_reward_id": self.next_reward_id,
                "cards": list(self.cards.values()),
                "members": list(self.members.values()),
                "pushes": self.pushes,
            })

    def load_dict(self, data: dict[str, Any]) -> None:
        """Replace everything with what `to_dict` produced."""
        if data.get("version") != _STATE_VERSION:
            raise ValueError(f"unsupported sandbox state version: {data.get('version')!r}")
        with self.lock:
            self.seed = int(data["seed"])
            self.next_member_id = int(data["next_member_id"])
            self.next_reward_id = int(data["next_reward_id"])
            self.cards = {int(card["id"]): card for card in data["cards"]}
            self.members = {int(member["id"]): member for member in data["members"]}
            self.pushes = list(data["pushes"])

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state to `path` atomically, so a crash never leaves half a file."""
        target = Path(path)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent,
                                         prefix=f".{target.name}.", suffix=".tmp", delete=False) as handle:
            handle.write(text)
        os.replace(handle.name, target)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read a state file written by `save`."""
        self.load_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    # --- lookups ---------------------------------------------------------------------------------------

    def _card(self, card_id: int) -> dict[str, Any]:
        card = self.cards.get(card_id)
        if card is None:
            raise card_not_found()
        return card

    def _member(self, card_id: int, member_id: int) -> dict[str, Any]:
        self._card(card_id)
        member = self.members.get(member_id)
        if member is None or member["card_id"] != card_id:
            raise member_not_found()
        return member

    @staticmethod
    def _public_card(card: dict[str, Any]) -> dict[str, Any]:
        return {name: card[name] for name in _CARD_FIELDS}

    @staticmethod
    def _public_member(member: dict[str, Any]) -> dict[str, Any]:
        public = {name: value for name, value in member.items() if name != "card_id"}
        return copy.deepcopy(public)

    def list_cards(self) -> list[dict[str, Any]]:
        """All cards, in id order."""
        with self.lock:
            return [self._public_card(card) for _, card in sorted(self.cards.items())]

    def list_members(self, card_id: int, query: ListQuery) -> list[dict[str, Any]]:
        """One page of a card's members matching `query`, in id order."""
        with self.lock:
            self._card(card_id)
            found = [
                member for _, member in sorted(self.members.items())
                if member["card_id"] == card_id
                and (query.include_voided or member["voided_at"] is None)
                and self._matches(member, query)
            ]
            start = (query.page - 1) * query.limit
            return [self._public_member(member) for member in found[start:start + query.limit]]

    @staticmethod
    def _matches(member: dict[str, Any], query: ListQuery) -> bool:
        if not query.keyword:
            return True
        wanted = query.keyword.casefold()
        values = [str(member.get(name) or "") for name in _SEARCHED_FIELDS]
        if query.strict:
            # Exact on one field; only email ignores case, since mail addresses are case-insensitive in practice.
            return any(
                (value.casefold() == wanted) if name == "email" else (value == query.keyword)
                for name, value in zip(_SEARCHED_FIELDS, values, strict=True)
            )
        # Whole names too, so "ada lovelace" finds Ada Lovelace.
        values.append(f"{member.get('first_name') or ''} {member.get('last_name') or ''}")
        return any(wanted in value.casefold() for value in values)

    def get_member(self, card_id: int, member_id: int) -> dict[str, Any]:
        """One member of a card."""
        with self.lock:
            return self._public_member(self._member(card_id, member_id))

    # --- changes ---------------------------------------------------------------------------------------

    def _new_member(self, card: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
        member_id = self.next_member_id
        self.next_member_id += 1
        code = demo.random_code(random.Random(f"{self.seed}-member-{member_id}"), 21)
        member: dict[str, Any] = {"id": member_id, "card_id": card["id"], "code": code}
        member.update({name: value for name, value in fields.items() if value})
        if card["type"] == "stamp":
            member["stamps"] = 0
            member["rewards"] = []
        member["download_url"] = demo.download_url(card, code)
        member["created_at"] = demo.format_time(self.now())
        member["voided_at"] = None
        member["expired_at"] = (
            None if card["type"] == "stamp"
            else demo.format_time(demo.end_of_day(self.now() + timedelta(days=365)))
        )
        self.members[member_id] = member
        return member

    def create_member(self, card_id: int, fields: dict[str, str]) -> dict[str, Any]:
        """Add a member to a card."""
        with self.lock:
            return self._public_member(self._new_member(self._card(card_id), fields))

    def create_members(self, card_id: int, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Add several members at once, in the order given."""
        with self.lock:
            card = self._card(card_id)
            return [self._public_member(self._new_member(card, fields)) for fields in rows]

    def update_member(self, card_id: int, member_id: int, fields: dict[str, str]) -> dict[str, Any]:
        """Change the given fields; an empty value removes the field."""
        with self.lock:
            member = self._member(card_id, member_id)
            for name, value in fields.items():
                if value:
                    member[name] = value
                else:
                    member.pop(name, None)
            return self._public_member(member)

    def add_stamps(self, card_id: int, member_id: int, amount: int) -> dict[str, Any]:
        """Add stamps; each multiple of the card's stamps-per-reward crossed earns a reward."""
        with self.lock:
            card = self._card(card_id)
            member = self._member(card_id, member_id)
            if card["type"] != "stamp":
                raise SandboxError(422, VALUE_NOT_ALLOWED, "amount: this loyalty card does not collect stamps")
            if member["voided_at"] is not None:
                raise SandboxError(422, VALUE_NOT_ALLOWED, "amount: this user's card is voided")
            before = member["stamps"]
            member["stamps"] = before + amount
            per_reward = card["stamps_per_reward"]
            now = self.now()
            for _ in range(member["stamps"] // per_reward - before // per_reward):
                member["rewards"].append({
                    "id": self.next_reward_id,
                    "name": card["reward_name"],
                    "added_at": demo.format_time(now),
                    "expired_at": demo.format_time(
                        demo.end_of_day(now + timedelta(days=card["reward_valid_days"]))),
                    "used_at": None,
                })
                self.next_reward_id += 1
            return self._public_member(member)

    def use_rewards(self, card_id: int, member_id: int, reward_ids: list[int]) -> dict[str, Any]:
        """Mark rewards used; all or nothing, and only the member's unused, unexpired rewards qualify."""
        with self.lock:
            member = self._member(card_id, member_id)
            rewards = {reward["id"]: reward for reward in member.get("rewards", [])}
            now = self.now()
            for reward_id in reward_ids:
                reward = rewards.get(reward_id)
                if reward is None:
                    raise SandboxError(422, VALUE_NOT_ALLOWED, f"reward_ids: {reward_id} is not a reward of this user")
                if reward.get("used_at"):
                    raise SandboxError(422, VALUE_NOT_ALLOWED, f"reward_ids: {reward_id} was already used")
                expires = _parse_time(reward.get("expired_at"))
                if expires is not None and expires <= now:
                    raise SandboxError(422, VALUE_NOT_ALLOWED, f"reward_ids: {reward_id} has expired")
            for reward_id in reward_ids:
                rewards[reward_id]["used_at"] = demo.format_time(now)
            return self._public_member(member)

    def void_member(self, card_id: int, member_id: int) -> dict[str, Any]:
        """Void a member's card; voiding again keeps the first time."""
        with self.lock:
            member = self._member(card_id, member_id)
            if member["voided_at"] is None:
                member["voided_at"] = demo.format_time(self.now())
            return self._public_member(member)

    def delete_member(self, card_id: int, member_id: int) -> None:
        """Remove a member for good."""
        with self.lock:
            self._member(card_id, member_id)
            del self.members[member_id]

    def copy_card(self, card_id: int, name: str | None) -> dict[str, Any]:
        """A new card with the same type and reward settings, and no members."""
        with self.lock:
            card = self._card(card_id)
            new_id = max(self.cards) + 1
            code = demo.random_code(random.Random(f"{self.seed}-card-{new_id}"), 6)
            new = {**card, "id": new_id, "code": code, "name": name or f"Copy of {card['name']}"[:50]}
            self.cards[new_id] = new
            return self._public_card(new)

    def push(self, card_id: int, message: str, recipient_ids: list[int] | None) -> dict[str, Any]:
        """Record a push; without recipients it goes to every member whose card is not voided."""
        with self.lock:
            self._card(card_id)
            if recipient_ids is None:
                total = sum(1 for m in self.members.values() if m["card_id"] == card_id and m["voided_at"] is None)
                answer = "Push notification sent to all users"
            else:
                for member_id in recipient_ids:
                    member = self.members.get(member_id)
                    if member is None or member["card_id"] != card_id:
                        raise SandboxError(
                            422, VALUE_NOT_ALLOWED,
                            f"recipient_stat_ids: {member_id} is not a user of this loyalty card")
                total = len(recipient_ids)
                answer = "Targeted push notification"
            self.pushes.append({
                "card_id": card_id,
                "message": message,
                "recipient_ids": recipient_ids,
                "total_recipients": total,
                "sent_at": demo.format_time(self.now()),
            })
            return {"message": answer, "total_recipients": total}
