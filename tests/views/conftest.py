from datetime import datetime

import pytest

from bot.coupontools.models import Card, Member

NOW = datetime(2024, 2, 15, 9, 0)


@pytest.fixture
def card() -> Card:
    return Card(id=123, code="ndoh57", name="Coffee Club", domain="loyalty.coupontools.com", type="stamp")


@pytest.fixture
def ada() -> Member:
    return Member(id=2, code="abc", first_name="Ada", last_name="Lovelace", stamps=3, created_at="2024-02-12 12:31:06")


@pytest.fixture
def bob() -> Member:
    return Member(id=3, code="def", first_name="Bob", voided_at="2024-03-01 10:00:00")


@pytest.fixture
def john() -> Member:
    """The member the API documentation shows."""
    return Member.model_validate({
        "id": 2, "code": "wvjeykseaswlquco6uta8",
        "first_name": "John", "last_name": "Doe", "address": "Amina Course 956", "zip": "15242",
        "city": "Central City", "phone": "+0123456789", "email": "John@Doe.com",
        "custom_1": "custom value 1", "custom_5": "custom value 5",
        "stamps": 6,
        "download_url": "https://loyalty.coupontools.com/6epyy9/wvjeykseaswlquco6uta8",
        "created_at": "2024-02-12 12:31:06", "voided_at": None, "expired_at": "2024-02-19 22:59:59",
        "rewards": [
            {"id": 7, "name": "rewardA", "added_at": "2024-02-14 12:20:00", "expired_at": "2024-02-21 23:59:59"},
            {"id": 12, "name": "rewardB", "added_at": "2024-02-14 12:20:00", "used_at": "2024-03-06 14:45:08"},
        ],
    })
