"""Looking members up end to end: a signed slash command in, what Slack would show out."""

from __future__ import annotations

import pytest

from bot.sandbox import DEMO_ADA_ID, DEMO_ALAN_ID, DEMO_STAMP_CARD_CODE, DEMO_STAMP_CARD_ID
from bot.views import ids
from localstack.slack import render_message
from localstack.stack import LocalStack
from tests.app.helpers import ADMIN, VIEWER, private_reply


def ask(stack: LocalStack, text: str, user: str = VIEWER) -> str:
    return render_message(private_reply(stack, text, user))


def test_help_is_answered_in_the_ack_without_calling_the_api(stack: LocalStack) -> None:
    before = len(stack.sandbox.requests)
    shown = ask(stack, "")
    assert "/loyalty member" in shown
    assert len(stack.sandbox.requests) == before


def test_unknown_subcommand_suggests_the_near_miss(stack: LocalStack) -> None:
    shown = ask(stack, "memebr 1 2")
    assert "memebr" in shown
    assert "member" in shown


def test_cards_lists_every_card_with_a_members_button(stack: LocalStack) -> None:
    reply = stack.driver.command("cards", user=VIEWER) and stack.driver.wait_reply(VIEWER)
    shown = render_message(reply)
    assert "Coffee Club" in shown
    assert "VIP Membership" in shown
    stack.driver.click(reply, action_id=ids.CARDS_MEMBERS, value=str(DEMO_STAMP_CARD_ID), user=VIEWER)
    assert "Ada" in render_message(stack.driver.wait_reply(VIEWER))


def test_member_by_email_shows_stamps_rewards_and_action_buttons(stack: LocalStack) -> None:
    shown = ask(stack, 'member "Coffee Club" <mailto:ada@example.com|ada@example.com>', user=ADMIN)
    assert "Ada Lovelace" in shown
    assert "37" in shown
    for label in ("Add stamp", "Redeem", "Edit", "Void", "Delete"):
        assert label in shown


@pytest.mark.parametrize("ref", [str(DEMO_ADA_ID), "ada1815lovelace", "ADA@example.com", "+32 2 555 01 01"])
def test_member_is_found_by_id_code_email_or_phone(stack: LocalStack, ref: str) -> None:
    assert "Ada Lovelace" in ask(stack, f"member {DEMO_STAMP_CARD_CODE} '{ref}'")


def test_a_member_behind_more_than_fifty_partial_matches_of_their_email_is_found(stack: LocalStack) -> None:
    lookalikes = [{"first_name": f"Look{n}", "email": f"{n}zed@example.com"} for n in range(60)]
    stack.services.loyalty.create_chunk(DEMO_STAMP_CARD_ID, [*lookalikes, {"first_name": "Zed", "last_name": "Target",
                                                                              "email": "zed@example.com"}])
    assert "Zed Target" in ask(stack, f"member {DEMO_STAMP_CARD_ID} zed@example.com")


def test_unknown_member_says_so_and_how_to_search(stack: LocalStack) -> None:
    shown = ask(stack, f"member {DEMO_STAMP_CARD_ID} nobody@example.com")
    assert "No member" in shown
    assert "/loyalty members" in shown


def test_unknown_card_points_to_the_cards_list(stack: LocalStack) -> None:
    assert "/loyalty cards" in ask(stack, "member nosuchcard 1")


def test_voided_member_is_shown_as_voided(stack: LocalStack) -> None:
    assert "VOIDED" in ask(stack, f"member {DEMO_STAMP_CARD_ID} {DEMO_ALAN_ID}").upper()


def test_members_pages_forward_and_back_in_the_same_message(stack: LocalStack) -> None:
    stack.driver.command(f"members {DEMO_STAMP_CARD_ID}", user=VIEWER)
    first = stack.driver.wait_reply(VIEWER)
    first_page = render_message(first)
    stack.driver.click(first, action_id=ids.MEMBERS_PAGE_NEXT, user=VIEWER)
    second = stack.slack.wait_for(lambda: next((e for e in stack.slack.ephemerals(VIEWER)
                                                if e.ts == first.ts and render_message(e) != first_page), None))
    assert render_message(second) != first_page
    assert len(stack.slack.ephemerals(VIEWER)) == 1


def test_open_button_on_a_search_row_shows_the_member(stack: LocalStack) -> None:
    stack.driver.command(f"members {DEMO_STAMP_CARD_ID} lovelace", user=VIEWER)
    page = stack.driver.wait_reply(VIEWER)
    stack.driver.click(page, action_id=ids.MEMBER_OPEN, value=f"{DEMO_STAMP_CARD_ID}:{DEMO_ADA_ID}", user=VIEWER)
    assert "Ada Lovelace" in render_message(stack.driver.wait_reply(VIEWER))


def test_someone_without_a_role_is_refused_and_told_whom_to_ask(stack: LocalStack) -> None:
    stack.slack.add_user("U0STRANGER", "stranger")
    before = len(stack.sandbox.requests)
    shown = ask(stack, f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}", user="U0STRANGER")
    assert "LOYALTY_VIEWERS" in shown
    assert "Lovelace" not in shown
    assert len(stack.sandbox.requests) == before


def test_guests_and_external_people_need_their_own_id_listed(tmp_path) -> None:
    with LocalStack(workdir=tmp_path, loyalty_viewers=()) as stack:  # empty: every member of the team
        stack.slack.add_user("U0GUEST", "guest", is_restricted=True)
        stack.slack.add_user("U0OUTSIDER", "outsider", team_id="T0OTHERORG")
        stack.slack.add_user("U0COLLEAGUE", "colleague")
        assert "Lovelace" in ask(stack, f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}", user="U0COLLEAGUE")
        for outsider in ("U0GUEST", "U0OUTSIDER"):
            assert "Lovelace" not in ask(stack, f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}", user=outsider)


def test_lookup_shortcut_opens_a_modal_and_answers_in_it(stack: LocalStack) -> None:
    stack.driver.shortcut(ids.LOOKUP_SHORTCUT, user=VIEWER)
    modal = stack.slack.wait_for(lambda: ((m := stack.slack.modal(VIEWER)) and m.callback_id == ids.LOOKUP_VIEW
                                 and m) or None)
    card = {ids.LOOKUP_CARD_BLOCK: str(DEMO_STAMP_CARD_ID)}
    ack = stack.driver.submit(modal, {**card, ids.LOOKUP_QUERY_BLOCK: "   "}, user=VIEWER)
    assert ids.LOOKUP_QUERY_BLOCK in ack.errors
    stack.driver.submit(modal, {**card, ids.LOOKUP_QUERY_BLOCK: "ada@example.com"}, user=VIEWER)
    answered = stack.slack.wait_for(lambda: ((m := stack.slack.modal(VIEWER)) and "Lovelace" in str(m.blocks) and m)
                                    or None)
    assert answered is not None


def test_home_tab_shows_the_role_and_the_cards(stack: LocalStack) -> None:
    stack.driver.app_home_opened(user=ADMIN)
    home = stack.slack.wait_for_home(ADMIN)
    assert "admin" in str(home.blocks)
    assert "Coffee Club" in str(home.blocks)


def test_roles_can_name_user_groups(tmp_path) -> None:
    with LocalStack(workdir=tmp_path, loyalty_viewers=("S0STAFF",)) as stack:
        stack.slack.add_usergroup("S0STAFF", ["U0STAFFER"])
        stack.slack.add_user("U0STAFFER", "staffer")
        stack.slack.add_user("U0VISITOR", "visitor")
        assert "Lovelace" in ask(stack, f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}", user="U0STAFFER")
        assert "LOYALTY_VIEWERS" in ask(stack, f"member {DEMO_STAMP_CARD_ID} {DEMO_ADA_ID}", user="U0VISITOR")
        # The group's members are read once and cached briefly, not on every command.
        assert len(stack.slack.calls("usergroups.users.list")) == 1
