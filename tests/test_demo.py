"""`loyalty-bot demo`: the console and its scripts, driven end to end against the local stack."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import DEMO_GRACE_ID, DEMO_STAMP_CARD_ID
from localstack.demo import parse_script, play, run_demo
from localstack.demo.console import Console
from localstack.demo.forms import Keyboard
from localstack.demo.script import Script
from localstack.stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "examples" / "tour.txt"
TIMEOUT = 120  # seconds: the subprocess starts three servers and plays the whole tour


def play_text(stack: LocalStack, text: str) -> tuple[bool, str]:
    out = io.StringIO()
    ok = play(stack, Script(parse_script(text)), out)
    return ok, out.getvalue()


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", "demo", *args], input=stdin, capture_output=True, text=True,
        cwd=ROOT, timeout=TIMEOUT, check=False,
    )


def test_tour_passes_and_its_changes_land_in_the_sandbox(stack: LocalStack) -> None:
    ok, transcript = play_text(stack, TOUR.read_text(encoding="utf-8"))
    assert ok, transcript
    assert "alice (admin) in #general> /loyalty help" in transcript
    assert "vera (viewer) in #general> /loyalty cards" in transcript
    assert "(only visible to you)" in transcript
    assert "page 2" in transcript
    assert "✗" not in transcript.replace("✗ Step failed", "")
    state = stack.sandbox.state
    grace = state.get_member(DEMO_STAMP_CARD_ID, DEMO_GRACE_ID)
    assert grace["stamps"] == 10  # the stamp landed
    assert [r["name"] for r in grace["rewards"] if r.get("used_at")] == ["Free coffee"]  # earned, then redeemed
    assert grace["city"] == "Arlington"  # the edit
    assert any(c["name"] == "Coffee Club Summer" for c in state.list_cards())  # the copy
    assert grace["voided_at"]  # voided after alice confirmed
    emails = {m.get("email") for m in state.members.values() if m["card_id"] == DEMO_STAMP_CARD_ID}
    assert {"margaret@example.com", "barbara@example.com"} <= emails  # imported
    assert "linus@example.com" not in emails  # added, then deleted after one "no" and one "yes"
    assert len(stack.sandbox.find_requests("POST", "/push-notifications")) == 1  # asked once, approved once
    assert [(p["message"], p["recipient_ids"]) for p in state.pushes] == [("Double stamps all weekend!", None)]
    assert "Approved by @bob" in transcript
    saved = [Path(line.split("file saved to ")[1].rstrip(")")) for line in transcript.splitlines()
             if "file saved to " in line]
    chart = next(path for path in saved if path.suffix == ".png")
    assert chart.read_bytes().startswith(b"\x89PNG")  # the stats chart, where the demo said
    export = next(path for path in saved if path.name.endswith(".csv") and "-members-" in path.name)
    assert "margaret@example.com" in export.read_text(encoding="utf-8")  # alice's export, in her DM


def test_tour_runs_from_the_command_line_and_exits_zero() -> None:
    result = run_cli("--script", str(TOUR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "vera (viewer) in #general> /loyalty member \"Coffee Club\" ada@example.com" in result.stdout
    assert "Ada Lovelace" in result.stdout
    assert "Stopping the bot" in result.stdout
    assert "Step failed" not in result.stdout
    # quiet by default: the bot's log lines go to the log file, not over the transcript
    assert " INFO " not in result.stdout + result.stderr


def test_expect_that_does_not_match_fails_the_script_with_its_line(tmp_path: Path) -> None:
    script = tmp_path / "wrong.txt"
    script.write_text("/loyalty cards\nexpect Coffee Club\nexpect Tea Club\n/loyalty help\n", encoding="utf-8")
    out = io.StringIO()
    assert run_demo(script, stdout=out) == 1
    transcript = out.getvalue()
    assert "✗ Step failed (script line 3): expected 'Tea Club'" in transcript
    assert "/loyalty help" not in transcript.split("Step failed")[1]


@pytest.mark.parametrize(("line", "problem"), [
    ("click 99", "there is no [99] to click"),
    ("dance", "'dance' is not a console command"),
    ("/giphy cat", "only has the app's /loyalty command"),
    ("as mallory", "there is nobody called 'mallory'"),
    ("submit", "none is waiting"),
])
def test_a_step_the_console_cannot_carry_out_fails_the_script(stack: LocalStack, line: str, problem: str) -> None:
    ok, transcript = play_text(stack, f"/loyalty cards\n{line}\n")
    assert not ok
    assert problem in transcript


def test_an_error_reply_is_not_a_failure(stack: LocalStack) -> None:
    ok, transcript = play_text(stack, "as vera\n/loyalty member \"Coffee Club\" nobody@example.com\nexpect No member\n")
    assert ok, transcript


def test_field_error_from_the_bot_is_shown_on_the_field_and_the_script_answers_again(stack: LocalStack) -> None:
    script = "\n".join([
        "shortcut",
        "fill Loyalty card: Coffee",
        f"fill Member: {'x' * 201}",
        "submit",
        "expect Member: That is too long",
        "fill Member: ada@example.com",
        "submit",
        "expect Ada Lovelace",
    ])
    ok, transcript = play_text(stack, script)
    assert ok, transcript
    assert "✗ Member: That is too long" in transcript


def test_modal_left_open_at_the_end_of_a_script_fails(stack: LocalStack) -> None:
    ok, transcript = play_text(stack, "shortcut\nfill Member: ada@example.com\n")
    assert not ok
    assert "the script ended while the modal 'Look up a member' was open" in transcript


def test_console_fills_a_modal_field_by_field_and_asks_a_refused_field_again() -> None:
    typed = "\n".join(["shortcut", "2", "x" * 201, "grace@example.com", "shortcut", "1", "grace@example.com",
                       "exit", ""])
    out = io.StringIO()
    assert run_demo(stdin=io.StringIO(typed), stdout=out) == 0
    transcript = out.getvalue()
    assert "Loyalty card\n  1. Coffee Club" in transcript
    assert "✗ Member: That is too long" in transcript
    assert "No member of VIP Membership" in transcript  # the second answer went to the same field
    assert "Grace Hopper" in transcript
    assert "Stopping the bot" in transcript


def test_keyboard_keeps_prefilled_fields_on_enter_and_empties_one_with_a_dash(stack: LocalStack) -> None:
    fields_before_city = 6  # first and last name, email, phone, address, zip code
    typed = ["as omar", '/loyalty edit "Coffee Club" grace@example.com', *[""] * fields_before_city, "-",
             *[""] * 8]
    lines = iter(typed)

    def ask(prompt: str) -> str:
        out.write(prompt + "\n")
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    Console(stack, out, lambda console: Keyboard(ask, console.say)).interact(ask)
    grace = stack.sandbox.state.get_member(DEMO_STAMP_CARD_ID, DEMO_GRACE_ID)
    assert not grace.get("city"), out.getvalue()
    assert grace["first_name"] == "Grace"
    assert "City (optional)\nCity [Antwerp]: " in out.getvalue()


def test_interactive_console_shows_the_prompt_answers_help_and_exits_on_end_of_input() -> None:
    result = run_cli(stdin="help\n/loyalty help\nas bob\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alice (admin) in #general> " in result.stdout
    assert "click <N>" in result.stdout  # the console's own help
    assert "How to use /loyalty" in result.stdout  # the bot's help, through Slack's path
    assert "bob (admin) in #general> " in result.stdout
    assert result.stdout.rstrip().endswith("Stopping the bot, the Slack stand-in and the sandbox…")
