"""Whatever the data, every view stays within what Slack accepts, and user text stays inert."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.views.cards import cards_message
from bot.views.home import ROLES, home_view
from bot.views.lookup import lookup_choices_modal, lookup_member_modal, lookup_modal
from bot.views.member import member_message
from bot.views.members import PageState, member_choices_message, members_page_message
from tests.views.checks import all_mrkdwn, check_message, check_view
from tests.views.strategies import cards, hostile_text, members, times

# No deadline: machines are noisy, and huge texts take a while to build.
ANY_DATA = settings(
    deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
states = st.builds(
    PageState,
    card_id=st.integers(0, 10**18 - 1),
    query=hostile_text,
    include_voided=st.booleans(),
    page=st.integers(1, 100_000),
)


@ANY_DATA
@given(cards, members(), times)
def test_member_message_fits_slack(card, member, now):
    message = member_message(card, member, now=now).to_dict()
    check_message(message)
    assert len(message["blocks"]) <= 12


@ANY_DATA
@given(cards, members(), times)
def test_lookup_member_modal_fits_slack(card, member, now):
    check_view(lookup_member_modal(card, member, now=now).to_dict())


@ANY_DATA
@given(cards, st.lists(members(), max_size=12), states, st.booleans())
def test_members_page_fits_slack(card, found, state, has_next):
    message = members_page_message(card, found, state, has_next=has_next).to_dict()
    check_message(message)
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id", "").startswith("members.page."):
                assert PageState.decode(element["value"]) is not None


@ANY_DATA
@given(cards, st.lists(members(), max_size=60), hostile_text)
def test_member_choices_fit_slack(card, found, query):
    check_message(member_choices_message(card, found, query).to_dict())
    check_view(lookup_choices_modal(card, found, query).to_dict())


@ANY_DATA
@given(st.lists(cards, max_size=130))
def test_cards_message_and_lookup_modal_fit_slack(found):
    check_message(cards_message(found).to_dict())
    check_view(lookup_modal(found).to_dict())


@ANY_DATA
@given(st.lists(cards, max_size=130), st.one_of(st.sampled_from(sorted(ROLES)), hostile_text))
def test_home_view_fits_slack(found, role):
    check_view(home_view(found, role=role).to_dict())


@ANY_DATA
@given(cards, members(), times)
def test_a_channel_mention_in_any_field_never_reaches_slack_unescaped(card, member, now):
    hostile = member.model_copy(update={"first_name": "<!channel>", "city": "<!here>", "custom_3": "<@U1>"})
    payload = member_message(card, hostile, now=now).to_dict()
    for text in all_mrkdwn(payload):
        assert "<!" not in text
        assert "<@" not in text
