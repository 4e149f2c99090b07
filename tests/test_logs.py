"""Log lines: one per event, JSON when asked, with context, and nothing secret or personal."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import log_context, redact, setup_logging


@pytest.mark.parametrize(("text", "leak"), [
    ("token xoxb-1234-5678-abcdef was used", "xoxb-1234"),
    ("app token xapp-1-A0-123-abc", "xapp-1-A0"),
    ("headers {'x-api-secret': 'sesame'}", "sesame"),
    ("postgresql://bot:hunter2@db/loyalty", "hunter2"),
    ("member ada@example.com not found", "ada@example.com"),
])
def test_redact_removes_tokens_passwords_and_emails(text: str, leak: str) -> None:
    assert leak not in redact(text)


def test_redact_removes_configured_secrets_wherever_they_appear() -> None:
    assert "s3cret-value" not in redact("the secret is s3cret-value!", ("s3cret-value",))


def test_json_lines_carry_the_request_context_and_no_secrets(capsys) -> None:
    setup_logging("json", "INFO", secrets=("very-secret-api-secret",))
    try:
        with log_context(request_id="abc123", user="U0ADMIN", action="stamp"):
            logging.getLogger("bot.events").info("sent with very-secret-api-secret to ada@example.com",
                                                 extra={"outcome": "ok", "latency_ms": 12})
    finally:
        logging.getLogger().handlers.clear()
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["request_id"] == "abc123"
    assert line["user"] == "U0ADMIN"
    assert line["action"] == "stamp"
    assert line["outcome"] == "ok"
    assert line["latency_ms"] == 12
    assert "very-secret-api-secret" not in json.dumps(line)
    assert "ada@example.com" not in json.dumps(line)


def test_tracebacks_are_redacted_and_kept_on_one_line(capsys) -> None:
    setup_logging("text", "INFO")
    try:
        try:
            raise RuntimeError("token xoxb-999-secret-token leaked")
        except RuntimeError:
            logging.getLogger("bot").exception("failed")
    finally:
        logging.getLogger().handlers.clear()
    out = capsys.readouterr().out
    assert "xoxb-999" not in out
    assert len(out.strip().splitlines()) == 1
