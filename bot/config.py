"""Settings: the only place that reads the environment (and a `.env` file)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[tuple[str, ...], NoDecode]


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Everything the bot can be told from outside; names follow PRODUCT.md."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    coupontools_api_key: SecretStr | None = None
    coupontools_api_secret: SecretStr | None = None
    coupontools_base_url: str = "https://api.coupontools.com/v4"

    database_url: str = "sqlite:///loyalty-bot.db"

    loyalty_viewers: IdList = ()
    loyalty_operators: IdList = ()
    loyalty_admins: IdList = ()
    loyalty_approvals_channel: str | None = None
    loyalty_push_approval_threshold: int = Field(default=25, ge=0)
    loyalty_max_stamps: int = Field(default=100, ge=1)
    loyalty_import_chunk_size: int = Field(default=100, ge=1, le=1000)
    loyalty_workers: int = Field(default=64, ge=1, le=1024)

    port: int = Field(default=3000, ge=1, le=65535)
    # Serving processes on $PORT (`serve --processes`); WEB_CONCURRENCY is the name PaaS platforms set.
    web_concurrency: int = Field(default=1, ge=1, le=64)
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"

    @field_validator("loyalty_viewers", "loyalty_operators", "loyalty_admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(part for part in re.split(r"[\s,]+", value) if part)
        return tuple(str(part).strip() for part in value if str(part).strip())  # type: ignore[union-attr]

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "coupontools_api_key",
        "coupontools_api_secret", "loyalty_approvals_channel", mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `SLACK_APP_TOKEN=` left empty in a .env must mean "not set", not "Socket Mode with no token".
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def has_coupontools_credentials(self) -> bool:
        return self.coupontools_api_key is not None and self.coupontools_api_secret is not None

    def require(self, *names: str) -> None:
        """Raise ConfigError naming the first of `names` (field names) that is unset."""
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise ConfigError(f"{name.upper()} is not set: add it to the environment or to .env")


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "setting"
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("; ".join(problems)) from None
