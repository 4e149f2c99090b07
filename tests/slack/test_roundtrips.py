"""A real Bolt app over HTTP, driven by signed requests; what it answers lands in the bench's model."""

from __future__ import annotations

from slack_sdk import WebClient

from localstack.slack import FakeSlack, SlackDriver
from tests.slack.conftest import BOT_TOKEN


def test_slash_command_reply_through_response_url_is_an_ephemeral_for_that_user(
    bench: FakeSlack, driver: SlackDriver
) -> None:
    ack = driver.command("member", user="U_ADMIN", channel="C0GENERAL")

    reply = bench.wait_for_ephemeral("U_ADMIN")
    assert ack.status == 200
    assert (reply.channel, reply.text) == ("C0GENERAL", "Ada Lovelace")
    assert [b["type"] for b in reply.blocks] == ["header", "section", "actions"]
    assert bench.messages("C0GENERAL") == []
    assert bench.calls("response_url")[0].params["text"] == "Ada Lovelace"


def test_chat_post_ephemeral_lands_for_the_user_in_the_channel(bench: FakeSlack, driver: SlackDriver) -> None:
    driver.command("private", user="U_ADMIN")

    reply = bench.wait_for_ephemeral("U_ADMIN", "C0GENERAL")
    assert reply.text == "Just for you"
    assert bench.calls("chat.postEphemeral")[0].params["user"] == "U_ADMIN"


def test_a_command_ack_body_is_shown_to_the_user_like_slack_does(bench: FakeSlack, driver: SlackDriver) -> None:
    ack = driver.command("quick", user="U_ADMIN")

    assert ack.body == "Right away"
    assert bench.ephemerals("U_ADMIN")[-1].text == "Right away"


def test_clicking_a_button_in_an_ephemeral_replaces_it_through_the_response_url(
    bench: FakeSlack, driver: SlackDriver
) -> None:
    driver.command("member", user="U_ADMIN")
    reply = bench.wait_for_ephemeral("U_ADMIN")

    ack = driver.click(reply, text="Add stamp", user="U_ADMIN")

    replaced = bench.wait_for_ephemeral("U_ADMIN")
    assert ack.ok
    assert replaced is reply  # the same ephemeral, changed in place
    assert replaced.text == "Stamped: 4 of 10"
    assert len(bench.ephemerals("U_ADMIN")) == 1


def test_clicking_a_button_in_a_channel_message_lets_the_app_update_it(bench: FakeSlack, driver: SlackDriver) -> None:
    driver.command("approval", user="U_ADMIN")
    request = bench.wait_for_message("C0GENERAL")

    driver.click(request, "approve", user="U_ADMIN")

    bench.wait_for_call("chat.update")
    assert [m.text for m in bench.messages("C0GENERAL")] == ["Approved by <@U_ADMIN>"]
    assert request.edited
    assert request.blocks == []


def test_modal_opened_with_the_trigger_then_refused_then_updated(bench: FakeSlack, driver: SlackDriver) -> None:
    driver.command("add", user="U_ADMIN")
    modal = driver.wait_modal("U_ADMIN")
    assert (modal.callback_id, modal.title, modal.private_metadata) == ("add_member", "Add a member", "card-7")

    refused = driver.submit(modal, {"Email": "ada@elsewhere.org", "tier": "Gold"}, user="U_ADMIN")
    assert refused.response_action == "errors"
    assert refused.errors == {"email": "Use an @example.com address"}
    assert bench.modal("U_ADMIN") is modal

    csv = ("members.csv", b"email\nada@example.com\n")
    updated = driver.submit(modal, {"email/value": "ada@example.com", "Tier": "silver", "CSV": [csv]},
                            user="U_ADMIN")
    assert updated.response_action == "update"
    top = bench.modal("U_ADMIN")
    assert top is not None
    assert top.id == modal.id
    assert top.callback_id == "added"
    assert "Added ada@example.com (silver), 1 file(s), card card-7" in top.blocks[0]["text"]["text"]


def test_an_expired_trigger_id_cannot_open_a_modal(driver: SlackDriver, bench: FakeSlack) -> None:
    bench.config.trigger_ttl = 0

    driver.command("add", user="U_ADMIN")

    call = bench.wait_for_call("views.open")
    assert call.response == {"ok": False, "error": "expired_trigger_id"}
    assert bench.modal("U_ADMIN") is None


def test_closing_a_modal_that_asked_to_be_told_sends_view_closed(bench: FakeSlack, driver: SlackDriver) -> None:
    driver.shortcut("open_tools", user="U_ADMIN")
    modal = driver.wait_modal("U_ADMIN")

    ack = driver.close(modal, user="U_ADMIN")

    assert ack is not None
    assert ack.ok
    assert bench.modal("U_ADMIN") is None
    assert bench.wait_for_message("D_ADMIN").text == "Tools closed"


def test_app_home_opened_lets_the_app_publish_the_home_tab(bench: FakeSlack, driver: SlackDriver) -> None:
    driver.app_home_opened(user="U_ADMIN")

    home = bench.wait_for_home("U_ADMIN")
    assert home.type == "home"
    assert home.blocks[0]["text"]["text"] == "Welcome home"


def test_usergroups_and_users_info_answer_from_the_configured_directory(
    bench: FakeSlack, driver: SlackDriver
) -> None:
    driver.command("who", user="U_GUEST")

    reply = bench.wait_for_ephemeral("U_GUEST")
    assert reply.text == "admins=U_ADMIN restricted=True team=T0LOYALTY"


def test_files_upload_v2_shares_the_file_and_its_download_needs_the_bot_token(
    bench: FakeSlack, driver: SlackDriver
) -> None:
    driver.command("upload", user="U_ADMIN")

    reply = bench.wait_for_ephemeral("U_ADMIN", timeout=10)
    assert reply.text == "downloaded 27 bytes; without token 403"
    [shared] = bench.files("C0GENERAL")
    assert (shared.name, shared.title, shared.content) == ("report.csv", "Import report",
                                                           b"id,email\n1,ada@example.com\n")
    [post] = [m for m in bench.messages("C0GENERAL") if m.files]
    assert post.text == "Done"
    assert [c.method for c in bench.calls() if c.method.startswith(("files.", "upload"))] == [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal", "files.info"]


def test_an_update_the_app_sends_right_after_its_update_ack_is_what_stays(
    bench: FakeSlack, driver: SlackDriver
) -> None:
    WebClient(base_url=bench.api_url, token=BOT_TOKEN).views_open(
        trigger_id=bench.issue_trigger("U_ADMIN"),
        view={"type": "modal", "callback_id": "slow_lookup", "title": {"type": "plain_text", "text": "Look up"},
              "submit": {"type": "plain_text", "text": "Go"}, "blocks": [{"type": "divider"}]})

    driver.submit(bench.modal("U_ADMIN"), {}, user="U_ADMIN")

    bench.wait_for_call("views.update")
    assert bench.wait_for(lambda: (m := bench.modal("U_ADMIN")) is not None and m.title == "Found")
