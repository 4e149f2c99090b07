import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views import ids


def test_member_ref_round_trips():
    assert ids.parse_member_ref(ids.member_ref(123456, 2)) == (123456, 2)


@pytest.mark.parametrize("value", [
    None, 12, "", ":", "1:", ":2", "1:2:3", "a:b", "-1:2", "+1:2", " 1:2", "1:2 ", "1:2\n", "01:2",
    "1.0:2", "１:２", "²:3", "1" * 19 + ":2", "<!channel>", "m1|1|1|0|x",
])
def test_parse_member_ref_rejects_garbage(value):
    assert ids.parse_member_ref(value) is None


@given(st.text(max_size=40))
def test_parse_member_ref_accepts_only_what_member_ref_writes(value):
    parsed = ids.parse_member_ref(value)
    assert parsed is None or ids.member_ref(*parsed) == value


def test_members_page_matches_previous_and_next_only():
    assert ids.MEMBERS_PAGE.fullmatch(ids.MEMBERS_PAGE_PREVIOUS)
    assert ids.MEMBERS_PAGE.fullmatch(ids.MEMBERS_PAGE_NEXT)
    assert not ids.MEMBERS_PAGE.fullmatch("members.page")
    assert not ids.MEMBERS_PAGE.fullmatch(ids.MEMBER_OPEN)


def test_every_id_is_distinct():
    values = [value for name, value in vars(ids).items() if name.isupper() and isinstance(value, str)]
    assert len(values) == len(set(values))
