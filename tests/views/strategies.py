"""Hypothesis strategies for the data views must survive: hostile, huge and odd text, and big members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from bot.coupontools.models import CUSTOM_FIELDS, Card, Member

HOSTILE = (
    "<!channel>", "<!here>", "<!everyone>", "<@U123ABC>", "<#C123ABC>", "<!subteam^S123>",
    "*bold*", "_it_", "~strike~", "`code`", "```block```", "<https://evil.example|click>",
    "&amp;", "&lt;", "a & b", "> quote", "|", "\n\n", "\x00\x07\x1b", "\u202e", "\u200b", " ",
    "Zoë Ørsted", "李小龍", "😀👍🏽", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", ":smile:", "@channel",
)

# Huge strings are built by repetition: asking hypothesis for 5,000 random characters is slow.
huge = st.builds(lambda piece, n: piece * n, st.sampled_from((*HOSTILE, "x", "&", "<")), st.integers(1, 5000))
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.lists(st.sampled_from(HOSTILE), max_size=6).map("".join),
    huge,
)
maybe_text = st.one_of(st.none(), hostile_text)
ids = st.integers(min_value=0, max_value=10**15)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
api_time = st.one_of(st.none(), times.map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S")))
urls = st.one_of(
    st.none(),
    hostile_text,
    st.builds(lambda tail: f"https://loyalty.example.com/{tail}", hostile_text),
    st.just("javascript:alert(1)"),
)


@st.composite
def rewards(draw: st.DrawFn, max_size: int = 60) -> list[dict[str, Any]]:
    return draw(st.lists(
        st.fixed_dictionaries({
            "id": ids,
            "name": hostile_text,
            "added_at": api_time,
            "expired_at": api_time,
            "used_at": st.one_of(st.none(), st.none(), api_time),
        }),
        max_size=max_size,
    ))


@st.composite
def members(draw: st.DrawFn) -> Member:
    data: dict[str, Any] = {
        "id": draw(ids),
        "code": draw(st.one_of(st.just(""), hostile_text)),
        "stamps": draw(st.one_of(st.none(), st.integers(-10, 10**9))),
        "download_url": draw(urls),
        "created_at": draw(api_time),
        "voided_at": draw(api_time),
        "expired_at": draw(api_time),
        "rewards": draw(rewards()),
    }
    for name in ("first_name", "last_name", "email", "phone", "address", "zip", "city"):
        data[name] = draw(maybe_text)
    all_custom = draw(st.booleans())
    for name in CUSTOM_FIELDS:
        data[name] = draw(hostile_text if all_custom else maybe_text)
    return Member.model_validate(data)


cards = st.builds(
    Card,
    id=ids,
    code=st.one_of(st.just(""), hostile_text),
    name=st.one_of(st.just(""), hostile_text),
    domain=maybe_text,
    type=st.one_of(st.none(), st.sampled_from(("stamp", "membership")), hostile_text),
)
