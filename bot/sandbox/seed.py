"""Deterministic demo data: two cards, a few hundred members, and a handful of members docs can rely on."""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DEMO_STAMP_CARD_ID = 481516
DEMO_STAMP_CARD_CODE = "cof3e1"
DEMO_MEMBERSHIP_CARD_ID = 481517
DEMO_MEMBERSHIP_CARD_CODE = "vip7m2"
STAMPS_PER_REWARD = 10
REWARD_NAME = "Free coffee"
REWARD_VALID_DAYS = 30
CARD_DOMAIN = "loyalty.coupontools.com"

# Stable demo members: ids, emails and codes never change with the seed.
DEMO_ADA_ID = 1  # stamp card, 37 stamps: one available, one used and one expired reward
DEMO_GRACE_ID = 2  # stamp card, 9 stamps: the next stamp earns a reward
DEMO_ALAN_ID = 3  # stamp card, voided
DEMO_KATHERINE_ID = 4  # membership card, custom fields set
DEMO_EDSGER_ID = 5  # membership card, membership expired
DEMO_ADA_EXPIRED_REWARD_ID = 1
DEMO_ADA_USED_REWARD_ID = 2
DEMO_ADA_AVAILABLE_REWARD_ID = 3
FIRST_GENERATED_MEMBER_ID = 1001

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Sofia", "Lucas", "Mila", "Arthur", "Zoë", "Louis", "Nora", "Jules",
    "Amélie", "Mateo", "Chloé", "Hugo", "Leila", "Omar", "Yuki", "Ravi", "Ana", "José", "Fatima", "Kwame",
    "Ingrid", "Sven", "Aoife", "Tomás", "Priya", "Wei", "Chidi", "Elif", "Marta", "Pieter", "Sanne", "Luca",
)
_LAST_NAMES = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
    "Dubois", "Lambert", "Martin", "García", "Müller", "Rossi", "Nowak", "Okafor", "Tanaka", "Sharma",
    "Nguyen", "O'Brien", "Johansson", "Yılmaz", "Kowalski", "Van Dijk", "Silva", "Haddad", "Mensah", "Chen",
)
_STREETS = ("Rue Neuve", "Meir", "Kerkstraat", "Station Road", "High Street", "Main Street", "Lindenlaan")
_CITIES = (("1000", "Brussels"), ("2000", "Antwerp"), ("9000", "Ghent"), ("3000", "Leuven"), ("8000", "Bruges"))
_DRINKS = ("Flat white", "Espresso", "Cappuccino", "Oat latte", "Americano", "Chai latte")
_STORES = ("Central Station", "Old Market", "Harbour", "Campus")
_TIERS = ("Bronze", "Silver", "Gold")


@dataclass
class SeedData:
    """Everything a fresh SandboxState holds, keyed by id."""

    cards: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_member_id: int = FIRST_GENERATED_MEMBER_ID
    next_reward_id: int = 1


def format_time(moment: datetime) -> str:
    """The API's timestamp format, `YYYY-MM-DD HH:MM:SS`, no zone."""
    return moment.strftime(TIME_FORMAT)


def end_of_day(moment: datetime) -> datetime:
    """Rewards and memberships expire at 23:59:59 of their last day, as in the vendor's examples."""
    return moment.replace(hour=23, minute=59, second=59, microsecond=0)


def random_code(rng: random.Random, length: int) -> str:
    """A lowercase alphanumeric code like the vendor's (`wvjeykseaswlquco6uta8`)."""
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def download_url(card: dict[str, Any], member_code: str) -> str:
    """The wallet link a member opens to see their card."""
    return f"https://{card['domain']}/{card['code']}/{member_code}"


def new_card(card_id: int, code: str, name: str, card_type: str) -> dict[str, Any]:
    """A card record; the reward settings are the sandbox's own and are never sent to clients."""
    stamp = card_type == "stamp"
    return {
        "id": card_id,
        "code": code,
        "name": name,
        "domain": CARD_DOMAIN,
        "type": card_type,
        "stamps_per_reward": STAMPS_PER_REWARD if stamp else None,
        "reward_name": REWARD_NAME if stamp else None,
        "reward_valid_days": REWARD_VALID_DAYS if stamp else None,
    }


def build(seed: int, now: datetime) -> SeedData:
    """The demo data for `seed`; timestamps are placed relative to the start of `now`'s day."""
    rng = random.Random(seed)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    data = SeedData()
    stamp_card = new_card(DEMO_STAMP_CARD_ID, DEMO_STAMP_CARD_CODE, "Coffee Club", "stamp")
    membership_card = new_card(DEMO_MEMBERSHIP_CARD_ID, DEMO_MEMBERSHIP_CARD_CODE, "VIP Membership", "membership")
    data.cards = {stamp_card["id"]: stamp_card, membership_card["id"]: membership_card}
    _add_demo_members(data, today)
    for _ in range(220):
        _add_generated_member(data, rng, stamp_card, today)
    for _ in range(120):
        _add_generated_member(data, rng, membership_card, today)
    return data


def _member(data: SeedData, card: dict[str, Any], member_id: int, code: str, created: datetime,
            **fields: Any) -> dict[str, Any]:
    member: dict[str, Any] = {"id": member_id, "card_id": card["id"], "code": code}
    member.update({name: value for name, value in fields.items() if value})
    if card["type"] == "stamp":
        member["stamps"] = 0
        member["rewards"] = []
    member["download_url"] = download_url(card, code)
    member["created_at"] = format_time(created)
    member["voided_at"] = None
    member["expired_at"] = None
    data.members[member_id] = member
    return member


def _reward(data: SeedData, card: dict[str, Any], added: datetime, used: datetime | None) -> dict[str, Any]:
    reward = {
        "id": data.next_reward_id,
        "name": card["reward_name"],
        "added_at": format_time(added),
        "expired_at": format_time(end_of_day(added + timedelta(days=card["reward_valid_days"]))),
        "used_at": format_time(used) if used else None,
    }
    data.next_reward_id += 1
    return reward


def _add_demo_members(data: SeedData, today: datetime) -> None:
    stamp_card = data.cards[DEMO_STAMP_CARD_ID]
    membership_card = data.cards[DEMO_MEMBERSHIP_CARD_ID]
    ada = _member(data, stamp_card, DEMO_ADA_ID, "ada1815lovelace", today - timedelta(days=200, hours=-9),
                  first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="+3225550101",
                  address="Rue Neuve 12", zip="1000", city="Brussels", custom_1="Flat white")
    ada["stamps"] = 37
    ada["rewards"] = [
        _reward(data, stamp_card, today - timedelta(days=120, hours=-10), None),  # expired, never used
        _reward(data, stamp_card, today - timedelta(days=40, hours=-11), today - timedelta(days=35, hours=-8)),
        _reward(data, stamp_card, today - timedelta(days=3, hours=-14), None),  # available
    ]
    grace = _member(data, stamp_card, DEMO_GRACE_ID, "grace1906hopper", today - timedelta(days=30, hours=-8),
                    first_name="Grace", last_name="Hopper", email="grace@example.com", phone="+3225550102",
                    city="Antwerp", custom_1="Espresso")
    grace["stamps"] = 9
    alan = _member(data, stamp_card, DEMO_ALAN_ID, "alan1912turing", today - timedelta(days=90, hours=-12),
                   first_name="Alan", last_name="Turing", email="alan@example.com", phone="+3225550103")
    alan["stamps"] = 4
    alan["voided_at"] = format_time(today - timedelta(days=10, hours=-16))
    _member(data, membership_card, DEMO_KATHERINE_ID, "katherine1918johnson",
            today - timedelta(days=60, hours=-10), first_name="Katherine", last_name="Johnson",
            email="katherine@example.com", phone="+3225550104", city="Ghent",
            custom_1="Gold", custom_2="Newsletter: yes")["expired_at"] = format_time(
                end_of_day(today + timedelta(days=305)))
    _member(data, membership_card, DEMO_EDSGER_ID, "edsger1930dijkstra", today - timedelta(days=400, hours=-9),
            first_name="Edsger", last_name="Dijkstra", email="edsger@example.com",
            custom_1="Silver")["expired_at"] = format_time(end_of_day(today - timedelta(days=35)))


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum()).lower()


def _add_generated_member(data: SeedData, rng: random.Random, card: dict[str, Any], today: datetime) -> None:
    member_id = data.next_member_id
    data.next_member_id += 1
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    zip_code, city = rng.choice(_CITIES)
    created = today - timedelta(days=rng.randint(1, 400), seconds=-rng.randint(8 * 3600, 20 * 3600))
    stamp = card["type"] == "stamp"
    member = _member(
        data, card, member_id, random_code(rng, 21), created,
        first_name=first, last_name=last,
        # Some members never gave an email or a phone: every field but id and code is optional.
        email=f"{_ascii(first)}.{_ascii(last)}{member_id}@example.org" if rng.random() > 0.05 else None,
        phone=f"+324{rng.randint(70, 99)}{rng.randint(100000, 999999)}" if rng.random() > 0.1 else None,
        address=f"{rng.choice(_STREETS)} {rng.randint(1, 250)}" if rng.random() > 0.4 else None,
        zip=zip_code, city=city,
        custom_1=rng.choice(_DRINKS if stamp else _TIERS) if rng.random() > 0.3 else None,
        custom_2=rng.choice(_STORES) if rng.random() > 0.7 else None,
    )
    if rng.random() < 0.06:
        member["voided_at"] = format_time(created + timedelta(days=rng.randint(1, 30)))
    if stamp:
        _give_stamps(data, rng, card, member, created, today)
    else:
        member["expired_at"] = format_time(end_of_day(created + timedelta(days=365)))


def _give_stamps(data: SeedData, rng: random.Random, card: dict[str, Any], member: dict[str, Any],
                 created: datetime, today: datetime) -> None:
    member["stamps"] = rng.randint(0, 45)
    earned = member["stamps"] // card["stamps_per_reward"]
    span = max((today - created).days, 1)
    for step in range(earned):
        added = created + timedelta(days=span * (step + 1) // (earned + 1), minutes=rng.randint(0, 600))
        used = None
        if rng.random() < 0.6:
            used = min(added + timedelta(days=rng.randint(0, 25), minutes=rng.randint(1, 600)), today)
        member["rewards"].append(_reward(data, card, added, used))
