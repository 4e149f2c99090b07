"""Settings: the only place that reads the environment (and a `.env` file)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[tuple[str, ...], NoDecode]


class ConfigError(Exception):
    """Settings are missing or malformed; the message has one line per problem, each naming its variable."""


TOKEN_KINDS = {"slack_bot_token": ("xoxb-", "a bot token"), "slack_app_token": ("xapp-", "an app-level token")}
"""What each Slack token must start with, and what Slack calls it."""

_SLACK_TOKEN = re.compile(r"^(xox[a-z]|xapp)-")


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
    loyalty_stats_ttl: int = Field(default=600, ge=0, le=86400)
    # The weekly digest: one message per card in this channel, on this schedule (cron: minute hour day month
    # weekday), in this time zone. Unset channel: no digest.
    loyalty_digest_channel: str | None = None
    loyalty_digest_cron: str = "0 9 * * 1"
    loyalty_timezone: str = "UTC"
    # Region for national phone formats (`BE`, `NL`…); unset: only international formats are read.
    loyalty_phone_region: str | None = None
    loyalty_stamp_confirm_over: int = Field(default=10, ge=1)
    # The job engine's name for this process; by default the platform's dyno name or the host, plus a slot.
    loyalty_executor_id: str | None = None
    loyalty_job_retention_days: int = Field(default=30, ge=1, le=3650)
    # PostgreSQL: the schema that holds the job engine's tables (several installs can share one database).
    loyalty_jobs_schema: str = Field(default="dbos", pattern=r"^[a-z_][a-z0-9_]{0,62}$")

    # Serve the local sandbox's demo data; never implied by missing credentials (see `needed_to_serve`).
    loyalty_sandbox: bool = False

    port: int = Field(default=3000, ge=1, le=65535)
    # Serving processes on $PORT (`serve --processes`); WEB_CONCURRENCY is the name PaaS platforms set.
    web_concurrency: int = Field(default=1, ge=1, le=64)
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # When set, GET /metrics answers only requests with `Authorization: Bearer <this>`.
    loyalty_metrics_token: SecretStr | None = None

    @field_validator("loyalty_viewers", "loyalty_operators", "loyalty_admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(part for part in re.split(r"[\s,]+", value) if part)
        if isinstance(value, Iterable):
            return tuple(str(part).strip() for part in value if str(part).strip())
        return value  # not a list: the field's own validation reports it

    @field_validator("loyalty_digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from croniter import croniter

        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"expected five cron fields (minute hour day month weekday), like 0 9 * * 1, "
                             f"not {value[:40]!r}")
        return value

    @field_validator("loyalty_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"expected a time zone name like Europe/Brussels, not {value[:40]!r}") from None
        return value

    @field_validator("loyalty_phone_region", mode="before")
    @classmethod
    def _region(cls, value: object) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        region = str(value).strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"expected a two-letter region like BE or NL, not {region[:10]!r}")
        return region

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "coupontools_api_key",
        "coupontools_api_secret", "loyalty_approvals_channel", "loyalty_metrics_token", "loyalty_digest_channel",
        "loyalty_executor_id",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `SLACK_APP_TOKEN=` left empty in a .env must mean "not set", not "Socket Mode with no token".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret")
    @classmethod
    def _token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # Only the token's well-known prefix is ever named, never the token.
        if value is None:
            return value
        found = _SLACK_TOKEN.match(value.get_secret_value())
        kind = f"this one starts with {found.group(0)}" if found else "this does not look like a Slack token"
        if info.field_name == "slack_signing_secret":
            if found:
                raise ValueError(f"this is a token ({found.group(0)}…), not the signing secret: copy the Signing "
                                 "Secret from Basic Information → App Credentials")
            return value
        prefix, name = TOKEN_KINDS[str(info.field_name)]
        if not found or found.group(0) != prefix:
            raise ValueError(f"expected {name} starting with {prefix} ({kind})")
        return value

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def has_coupontools_credentials(self) -> bool:
        return self.coupontools_api_key is not None and self.coupontools_api_secret is not None

    def needed_to_serve(self, *, socket_mode: bool, sandbox: bool) -> tuple[str, ...]:
        """The settings (field names) `serve` cannot start without, in this mode."""
        slack = ("slack_bot_token", "slack_app_token" if socket_mode else "slack_signing_secret")
        return slack if sandbox else (*slack, "coupontools_api_key", "coupontools_api_secret")

    def unset(self, *names: str) -> list[str]:
        """One line for each of `names` (field names) that is unset."""
        problems = []
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                hint = _UNSET_HINTS.get(name, "")
                problems.append(f"{name.upper()} is not set: add it to the environment or to .env{hint}")
        return problems

    def require(self, *names: str) -> None:
        """Raise ConfigError listing every one of `names` (field names) that is unset."""
        problems = self.unset(*names)
        if problems:
            raise ConfigError("\n".join(problems))


_SANDBOX_HINT = " (or serve the demo data with LOYALTY_SANDBOX=1 or `serve --sandbox`)"
_UNSET_HINTS = {"coupontools_api_key": _SANDBOX_HINT, "coupontools_api_secret": _SANDBOX_HINT}


def load_settings(needs: Callable[[Settings], tuple[str, ...]] | None = None, **overrides: Any) -> Settings:
    """Read the settings; ConfigError lists every bad variable and every one of `needs` that is unset at once."""
    problems: list[str] = []
    bad: set[str] = set()
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "setting"
            bad.add(name)
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name.upper()}: {message}")
        # Read the rest with defaults in place of the bad values, to report what else is missing.
        defaults = {name: Settings.model_fields[name].default for name in bad if name in Settings.model_fields}
        settings = Settings(**{**overrides, **defaults})
    if needs is not None:
        problems += settings.unset(*(name for name in needs(settings) if name not in bad))
    if problems:
        raise ConfigError("\n".join(problems))
    return settings
