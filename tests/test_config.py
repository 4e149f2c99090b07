"""Settings: read from the environment, with one clear line for anything wrong."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_ids_are_split_on_commas_and_spaces(monkeypatch) -> None:
    monkeypatch.setenv("LOYALTY_ADMINS", "U1, U2  S3,")
    assert load_settings().loyalty_admins == ("U1", "U2", "S3")


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
