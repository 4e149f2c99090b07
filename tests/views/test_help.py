import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import SUBCOMMANDS
from bot.views.help import GROUPS, USAGES, help_message, usage_message
from tests.views.checks import all_mrkdwn, check_message
from tests.views.strategies import hostile_text


def test_every_subcommand_of_the_parser_has_a_usage():
    assert set(USAGES) == set(SUBCOMMANDS)


def test_help_lists_every_subcommand_but_help_in_one_group():
    grouped = [name for _, names in GROUPS for name in names]
    assert sorted(grouped) == sorted(set(SUBCOMMANDS) - {"help"})


def test_help_message_groups_usages_with_examples():
    blocks = help_message().to_dict()["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "How to use /loyalty"}}
    assert blocks[1] == {"type": "section", "text": {"type": "mrkdwn", "verbatim": True, "text": (
        "*Look up*\n\n"
        "`/loyalty cards`\nLists the loyalty cards, with their ids and codes. For example: `/loyalty cards`\n\n"
        "`/loyalty members &lt;card&gt; [words…] [--voided]`\nSearches a card's members by name, email, phone "
        "or code; add `--voided` to include voided cards. For example: `/loyalty members \"Coffee Club\" ada`\n\n"
        "`/loyalty member &lt;card&gt; &lt;member&gt;`\nShows one member: contact, stamps, rewards, custom "
        "fields, wallet link, and buttons to act. For example: `/loyalty member \"Coffee Club\" ada@example.com`"
    )}}
    assert [block["text"]["text"].split("\n")[0] for block in blocks[1:5]] == [
        "*Look up*", "*Change*", "*Insights*", "*Admin*"]
    text = "".join(all_mrkdwn(help_message().to_dict()))
    for usage in USAGES.values():
        assert f"`/loyalty {usage.example}`" in text.replace("&lt;", "<").replace("&gt;", ">")


def test_help_for_an_unknown_subcommand_says_so_and_suggests_one():
    message = help_message(unknown="memebrs", suggestion="members").to_dict()
    assert message["text"].startswith("I don't know memebrs.")
    assert message["blocks"][0]["text"]["text"] == (
        ":thinking_face: I don't know `memebrs`. Did you mean `members`?\n"
        "`/loyalty members &lt;card&gt; [words…] [--voided]`\nSearches a card's members by name, email, phone "
        "or code; add `--voided` to include voided cards. For example: `/loyalty members \"Coffee Club\" ada`"
    )
    assert message["blocks"][1]["type"] == "header"


def test_help_escapes_a_hostile_unknown_subcommand():
    first = help_message(unknown="<!channel>").to_dict()["blocks"][0]["text"]["text"]
    assert first == ":thinking_face: I don't know `&lt;!channel&gt;`."


def test_usage_message_says_what_was_wrong_and_how_to_type_it():
    assert usage_message("stamp", "The amount must be a whole number, like 2.").to_dict() == {
        "text": "The amount must be a whole number, like 2. Usage: /loyalty stamp &lt;card&gt; &lt;member&gt; [amount]",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "verbatim": True, "text": (
                ":warning: The amount must be a whole number, like 2.\n"
                "*Usage:* `/loyalty stamp &lt;card&gt; &lt;member&gt; [amount]`\n"
                "*Example:* `/loyalty stamp \"Coffee Club\" ada@example.com 2`\n"
                "Adds stamps (1 unless you say) and shows the new count and any reward earned."
            )}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": True, "text": "All commands: `/loyalty help`"},
            ]},
        ],
    }


def test_usage_message_without_a_subcommand_says_the_problem_then_the_general_help():
    message = usage_message(None, "That command is too long (4,100 characters).").to_dict()
    assert message["blocks"][0]["text"]["text"] == ":warning: That command is too long (4,100 characters)."
    assert message["blocks"][1:] == help_message().to_dict()["blocks"][:49]


@pytest.mark.parametrize("subcommand", sorted(USAGES))
def test_usage_message_of_every_subcommand_is_valid(subcommand):
    check_message(usage_message(subcommand, "Something was wrong.").to_dict())


@settings(deadline=None, max_examples=60)
@given(st.one_of(st.none(), hostile_text), st.one_of(st.none(), st.sampled_from(sorted(USAGES)), hostile_text))
def test_help_message_survives_any_unknown_text(unknown, suggestion):
    check_message(help_message(unknown=unknown, suggestion=suggestion).to_dict())


@settings(deadline=None, max_examples=60)
@given(st.one_of(st.sampled_from(sorted(USAGES)), hostile_text), hostile_text)
def test_usage_message_survives_any_problem_text(subcommand, problem):
    check_message(usage_message(subcommand, problem).to_dict())
