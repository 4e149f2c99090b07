"""The fake Web API answers slack-sdk's WebClient the way Slack does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from localstack.slack import BenchTimeout, FakeSlack
from tests.slack.conftest import BOT_TOKEN

MODAL: dict[str, Any] = {"type": "modal", "callback_id": "m", "title": {"type": "plain_text", "text": "Hi"},
                         "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "one"}}]}


@pytest.fixture
def client(bench: FakeSlack) -> WebClient:
    return WebClient(base_url=bench.api_url, token=BOT_TOKEN)


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_auth_test_names_the_bot_and_team(client: WebClient, bench: FakeSlack) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0LOYALTY", "U0LOYALBOT", "B0LOYALBOT")


def test_a_wrong_token_is_invalid_auth_and_recorded(bench: FakeSlack) -> None:
    wrong = WebClient(base_url=bench.api_url, token="xoxb-wrong")
    assert error_of(lambda: wrong.chat_postMessage(channel="C0GENERAL", text="hi")) == "invalid_auth"
    assert bench.messages("C0GENERAL") == []
    assert bench.calls("chat.postMessage")[0].response["error"] == "invalid_auth"


def test_unknown_methods_are_answered_and_recorded(client: WebClient, bench: FakeSlack) -> None:
    assert error_of(lambda: client.api_call("chat.teleport")) == "unknown_method"
    assert [c.method for c in bench.calls()] == ["chat.teleport"]


def test_injected_rate_limit_answers_429_with_retry_after_then_recovers(client: WebClient, bench: FakeSlack) -> None:
    bench.fail("users.info", times=1, status=429, retry_after=0)
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U_ADMIN")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "0"
    assert client.users_info(user="U_ADMIN")["user"]["name"] == "ada"


def test_slack_sdk_retries_an_injected_rate_limit(bench: FakeSlack) -> None:
    retrying = WebClient(base_url=bench.api_url, token=BOT_TOKEN,
                         retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    bench.fail("chat.postMessage", times=2, status=429, retry_after=0)
    assert retrying.chat_postMessage(channel="C0GENERAL", text="hi")["ok"]
    assert [c.status for c in bench.calls("chat.postMessage")] == [429, 429, 200]


def test_injected_server_error_answers_500(client: WebClient, bench: FakeSlack) -> None:
    bench.fail("chat.postMessage", times=1, status=500)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0GENERAL", text="hi")
    assert raised.value.response.status_code == 500


def test_users_info_carries_guest_and_organisation_flags(client: WebClient) -> None:
    guest = client.users_info(user="U_GUEST")["user"]
    other = client.users_info(user="U_OTHER")["user"]
    assert (guest["is_restricted"], guest["is_ultra_restricted"], guest["team_id"]) == (True, False, "T0LOYALTY")
    assert other["team_id"] == "T0ELSEWHERE"
    assert error_of(lambda: client.users_info(user="U_NOBODY")) == "user_not_found"


def test_usergroups_list_their_members(client: WebClient) -> None:
    assert client.usergroups_users_list(usergroup="S_ADMINS")["users"] == ["U_ADMIN"]
    assert error_of(lambda: client.usergroups_users_list(usergroup="S_NONE")) == "no_such_subteam"


def test_conversations_info_knows_shared_channels(client: WebClient, bench: FakeSlack) -> None:
    bench.add_channel("C0SHARED", "partners", is_ext_shared=True)
    assert client.conversations_info(channel="C0SHARED")["channel"]["is_ext_shared"] is True
    assert error_of(lambda: client.conversations_info(channel="C0MISSING")) == "channel_not_found"


def test_messages_can_be_posted_updated_linked_and_deleted(client: WebClient, bench: FakeSlack) -> None:
    posted = client.chat_postMessage(channel="C0GENERAL", text="first")
    client.chat_postMessage(channel="C0GENERAL", text="reply", thread_ts=posted["ts"])
    client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="changed")
    link = client.chat_getPermalink(channel="C0GENERAL", message_ts=posted["ts"])["permalink"]
    assert [(m.text, m.thread_ts) for m in bench.messages("C0GENERAL")] == [
        ("changed", None), ("reply", posted["ts"])]
    assert link.endswith(posted["ts"].replace(".", ""))

    client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    assert [m.text for m in bench.messages("C0GENERAL")] == ["reply"]
    assert error_of(lambda: client.chat_update(channel="C0GENERAL", ts="1.2", text="x")) == "message_not_found"
    with pytest.warns(UserWarning, match="text"):
        assert error_of(lambda: client.chat_postMessage(channel="C0GENERAL")) == "no_text"


def test_a_trigger_id_opens_one_modal_only(client: WebClient, bench: FakeSlack) -> None:
    trigger = bench.issue_trigger("U_ADMIN")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"] == bench.modal("U_ADMIN").id  # type: ignore[union-attr]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="made-up", view=MODAL)) == "invalid_trigger_id"


def test_views_update_checks_the_hash_and_push_stacks_up_to_three(client: WebClient, bench: FakeSlack) -> None:
    view = client.views_open(trigger_id=bench.issue_trigger("U_ADMIN"), view=MODAL)["view"]
    two = {**MODAL, "callback_id": "two"}
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=two)["view"]
    assert updated["callback_id"] == "two"
    assert error_of(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)) == "hash_conflict"

    for _ in range(2):
        client.views_push(trigger_id=bench.issue_trigger("U_ADMIN"), view=MODAL)
    assert len(bench.modal_stack("U_ADMIN")) == 3
    assert error_of(
        lambda: client.views_push(trigger_id=bench.issue_trigger("U_ADMIN"), view=MODAL)
    ) == "push_limit_reached"


def test_an_invalid_view_is_refused_and_recorded(client: WebClient, bench: FakeSlack) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title far too long for Slack"}}
    trigger = bench.issue_trigger("U_ADMIN")
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=long_title)) == "invalid_arguments"
    assert bench.violations[0].method == "views.open"
    assert bench.modal("U_ADMIN") is None


def test_response_url_posts_in_channel_and_deletes_the_original(bench: FakeSlack) -> None:
    url = bench.issue_response_url("U_ADMIN", "C0GENERAL")
    webhook = WebhookClient(url)

    assert webhook.send(text="for everyone", response_type="in_channel").status_code == 200
    [message] = bench.messages("C0GENERAL")
    assert message.text == "for everyone"
    webhook.send(text="", delete_original=True)
    assert bench.messages("C0GENERAL") == []


def test_response_url_honours_five_uses(bench: FakeSlack) -> None:
    webhook = WebhookClient(bench.issue_response_url("U_ADMIN", "C0GENERAL"))
    statuses = [webhook.send(text=f"try {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]


def test_registered_files_are_served_only_with_the_bot_token(bench: FakeSlack) -> None:
    file = bench.register_file("members.csv", b"email\n", user="U_ADMIN")
    assert httpx.get(file.url_private_download).status_code == 403
    answer = httpx.get(file.url_private_download, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
    assert answer.content == b"email\n"


def test_the_bot_itself_is_a_user_of_the_workspace(client: WebClient, bench: FakeSlack) -> None:
    bot = client.users_info(user=bench.config.bot_user_id)["user"]
    assert bot["is_bot"] is True


def test_waiting_for_something_that_never_comes_fails_with_a_clear_message(bench: FakeSlack) -> None:
    with pytest.raises(BenchTimeout, match="an ephemeral message to U_ADMIN"):
        bench.wait_for_ephemeral("U_ADMIN", timeout=0.05)
