"""Settings: read from the environment, with one clear line for anything wrong."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_ids_are_split_on_commas_and_spaces(monkeypatch) -> None:
    monkeypatch.setenv("LOYALTY_ADMINS", "U1, U2  S3,")
    assert load_settings().loyalty_admins == ("U1", "U2", "S3")


def test_ids_given_as_a_list_are_read_and_as_a_number_are_refused_by_name() -> None:
    assert load_settings(loyalty_admins=["U1", " U2 ", ""], _env_file=None).loyalty_admins == ("U1", "U2")
    with pytest.raises(ConfigError, match=r"^LOYALTY_ADMINS: "):
        load_settings(loyalty_admins=5, _env_file=None)


def test_blank_values_count_as_unset(monkeypatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    monkeypatch.setenv("LOYALTY_APPROVALS_CHANNEL", "  ")
    settings = load_settings()
    assert settings.socket_mode is False
    assert settings.loyalty_approvals_channel is None


def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ConfigError, match=r"^PORT: "):
        load_settings()


def test_a_missing_required_setting_names_the_variable() -> None:
    settings = Settings(_env_file=None, slack_bot_token=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        settings.require("slack_bot_token")


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch) -> None:
    monkeypatch.setenv("COUPONTOOLS_API_SECRET", "sesame-open")
    assert "sesame-open" not in repr(load_settings())


def test_every_bad_and_missing_setting_is_listed_at_once(monkeypatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-a-user-token")
    monkeypatch.delenv("COUPONTOOLS_API_SECRET", raising=False)
    with pytest.raises(ConfigError) as raised:
        load_settings(lambda _: ("slack_bot_token", "coupontools_api_secret"), _env_file=None)
    lines = str(raised.value).splitlines()
    assert [line.split(":")[0].split(" ")[0] for line in lines] == ["SLACK_BOT_TOKEN", "PORT", "COUPONTOOLS_API_SECRET"]
    assert "this one starts with xoxp-" in lines[0]
    assert "a-user-token" not in str(raised.value)


@pytest.mark.parametrize(("variable", "value"), [("SLACK_BOT_TOKEN", "xapp-1-A1-s3cr3t"),
                                                 ("SLACK_APP_TOKEN", "xoxb-1-s3cr3t"),
                                                 ("SLACK_BOT_TOKEN", "not-a-token-s3cr3t"),
                                                 ("SLACK_SIGNING_SECRET", "xoxb-1-s3cr3t")])
def test_a_token_of_the_wrong_kind_names_the_variable_not_the_token(monkeypatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=rf"^{variable}: ") as raised:
        load_settings(_env_file=None)
    assert "s3cr3t" not in str(raised.value)


def test_sandbox_mode_is_asked_for_never_implied(monkeypatch) -> None:
    monkeypatch.delenv("COUPONTOOLS_API_KEY", raising=False)
    monkeypatch.delenv("LOYALTY_SANDBOX", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.loyalty_sandbox is False
    assert "coupontools_api_key" in settings.needed_to_serve(socket_mode=False, sandbox=False)
    assert "coupontools_api_key" not in settings.needed_to_serve(socket_mode=False, sandbox=True)
