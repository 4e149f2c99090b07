"""The install kit: .env.example names exactly the settings the bot reads; the image and compose file are sound."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _named(text: str) -> list[str]:
    """The variables an env file sets or shows commented out (`NAME=…` or `# NAME=…`)."""
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def test_env_example_names_exactly_the_settings_the_bot_reads() -> None:
    named = _named((ROOT / ".env.example").read_text())
    assert len(named) == len(set(named)), "a setting is named twice"
    assert set(named) == {name.upper() for name in Settings.model_fields}


def test_env_example_as_it_stands_is_valid_settings_with_nothing_secret_filled_in() -> None:
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.slack_bot_token is None
    assert settings.coupontools_api_secret is None
    assert settings.loyalty_sandbox is False
    assert settings.loyalty_viewers == ()


def test_env_example_defaults_are_the_code_defaults() -> None:
    text = (ROOT / ".env.example").read_text()
    for name, value in re.findall(r"^# ([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE):
        parsed = Settings(_env_file=None, **{name.lower(): value})  # type: ignore[call-arg]
        assert getattr(parsed, name.lower()) == Settings.model_fields[name.lower()].default, name


def test_the_image_runs_serve_as_a_non_root_user_with_a_health_check() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert re.fullmatch(r"FROM python:3\.\d+-slim", next(line for line in lines if line.startswith("FROM")))
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1] not in ("root", "0")
    assert lines.index(user) < lines.index(next(line for line in lines if line.startswith("CMD")))
    health = " ".join(lines[lines.index(next(line for line in lines if line.startswith("HEALTHCHECK"))):][:2])
    assert "/healthz" in health
    assert lines[-1] == 'CMD ["loyalty-bot", "serve"]'
    copied = {line.split()[1] for line in lines if line.startswith("COPY")}
    assert {"bot", "handlers", "localstack"} <= copied  # every package pyproject.toml installs


def test_compose_runs_the_bot_on_postgresql_once_it_is_ready() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in bot["environment"]["DATABASE_URL"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["env_file"] == ".env"
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
