"""GET /metrics over real HTTP: the counters move with real commands, and no label ever names a person."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.sandbox import DEMO_ADA_ID, DEMO_STAMP_CARD_ID, SandboxServer
from bot.views import ids
from localstack.slack import FakeSlack, SlackDriver
from localstack.stack import API_KEY, API_SECRET, BOT_TOKEN, LocalStack
from tests.app.helpers import OPERATOR, VIEWER, private_reply
from tests.app.test_serving import SIGNING_SECRET, _serve_env, _serving, _stop

CARD = DEMO_STAMP_CARD_ID
PERSONAL = re.compile(r"U0[A-Z0-9]+|@|\+?\d{7,}")  # a user id, an email, a phone number


def samples(stack: LocalStack, headers: dict[str, str] | None = None) -> dict[tuple[str, frozenset], float]:
    response = httpx.get(f"{stack.url}/metrics", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(seen: dict[tuple[str, frozenset], float], metric: str, **labels: str) -> float:
    return seen.get((metric, frozenset(labels.items())), 0.0)


def api_calls(seen: dict[tuple[str, frozenset], float], method: str, endpoint: str, status: str) -> float:
    return value(seen, "loyalty_bot_loyalty_api_seconds_count", method=method, endpoint=endpoint, status=status)


def test_commands_acks_and_api_calls_are_counted_by_name_outcome_and_templated_endpoint(stack: LocalStack) -> None:
    before = samples(stack)
    private_reply(stack, f"member {CARD} ada@example.com", VIEWER)
    private_reply(stack, f"stamp {CARD} {DEMO_ADA_ID}", VIEWER)  # a viewer may not stamp
    private_reply(stack, "stamp", OPERATOR)  # usage
    stack.services.worker.shutdown(wait=True)
    after = samples(stack)

    def moved(metric: str, **labels: str) -> float:
        return value(after, metric, **labels) - value(before, metric, **labels)

    assert moved("loyalty_bot_handled_total", name="member", outcome="ok") == 1
    assert moved("loyalty_bot_handled_total", name="stamp", outcome="refused") == 2
    assert moved("loyalty_bot_ack_seconds_count") == 3
    stats = "/loyalty/loyalty-cards/{id}/stats"
    assert api_calls(after, "GET", stats, "200") > api_calls(before, "GET", stats, "200")


def test_an_unknown_outcome_and_a_failed_slack_call_are_counted(stack: LocalStack) -> None:
    before = samples(stack)
    stack.sandbox.faults.drop(path="/stamps", after_apply=True)
    private_reply(stack, f"stamp {CARD} {DEMO_ADA_ID}", OPERATOR)
    stack.slack.fail("views.open", status=500)
    assert stack.driver.shortcut(ids.LOOKUP_SHORTCUT, user=VIEWER).ok
    stack.services.worker.shutdown(wait=True)
    after = samples(stack)
    endpoint = "/loyalty/loyalty-cards/{id}/stats/{id}/stamps"
    assert value(after, "loyalty_bot_outcome_unknown_total", endpoint=endpoint) == value(
        before, "loyalty_bot_outcome_unknown_total", endpoint=endpoint) + 1
    assert value(after, "loyalty_bot_handled_total", name="stamp", outcome="unknown") == value(
        before, "loyalty_bot_handled_total", name="stamp", outcome="unknown") + 1
    assert value(after, "loyalty_bot_slack_api_errors_total", method="views.open") > value(
        before, "loyalty_bot_slack_api_errors_total", method="views.open")


def test_no_label_names_a_user_an_email_or_a_phone(stack: LocalStack) -> None:
    private_reply(stack, f"member {CARD} ada@example.com", VIEWER)
    private_reply(stack, f"member {CARD} +15550100", VIEWER)
    private_reply(stack, f"stamp {CARD} ada@example.com", OPERATOR)
    stack.services.worker.shutdown(wait=True)
    seen = samples(stack)
    labels = {label for _, pairs in seen for _, label in pairs}
    assert labels, "the page holds labelled samples"
    assert [label for label in labels if PERSONAL.search(label)] == []


def test_with_a_token_the_page_asks_for_it(tmp_path) -> None:
    with LocalStack(workdir=tmp_path, loyalty_metrics_token="metrics-token-1234") as stack:
        assert httpx.get(f"{stack.url}/metrics").status_code == 401
        wrong = httpx.get(f"{stack.url}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert "metrics-token-1234" not in wrong.text
        assert samples(stack, {"Authorization": "Bearer metrics-token-1234"})


COMMANDS = 8


def test_several_serving_processes_show_one_sum_and_leave_no_files_behind(tmp_path: Path) -> None:
    with SandboxServer(api_key=API_KEY, api_secret=API_SECRET, port=0) as sandbox, \
            FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.add_user(VIEWER, "vera")
        env = _serve_env(sandbox, slack, tmp_path, TMPDIR=str(tmp_path))
        with _serving(env, tmp_path, "--processes", "2") as (process, url), \
                SlackDriver(slack, app_url=f"{url}/slack/events", signing_secret=SIGNING_SECRET) as driver:
            for _ in range(COMMANDS):
                with httpx.Client() as fresh:  # a new connection each time, so both processes take some
                    fresh.get(f"{url}/healthz")
                assert driver.command("help", user=VIEWER).ok
            pages = []
            for _ in range(4):  # whichever process answers, it counts every process's commands
                with httpx.Client() as fresh:
                    pages.append(fresh.get(f"{url}/metrics").text)
            _stop(process)
    assert process.returncode == 0
    for page in pages:
        assert f'loyalty_bot_handled_total{{name="help",outcome="ok"}} {float(COMMANDS)}' in page
    assert [path.name for path in tmp_path.glob("loyalty-bot-metrics-*")] == []


def test_jobs_waiting_and_the_age_of_the_oldest_are_on_the_page_by_queue(stack: LocalStack, mocker) -> None:
    assert "# HELP loyalty_bot_jobs_waiting " in httpx.get(f"{stack.url}/metrics").text  # the engine runs here
    mocker.patch.object(metrics, "_waiting_jobs", return_value={"imports": [100.0, 160.0], "pushes": [190.0]})
    seen = {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(metrics.jobs_page(now=200.0).decode())
            for sample in family.samples}
    assert value(seen, "loyalty_bot_jobs_waiting", queue="imports") == 2
    assert value(seen, "loyalty_bot_jobs_oldest_waiting_seconds", queue="imports") == 100
    assert value(seen, "loyalty_bot_jobs_oldest_waiting_seconds", queue="pushes") == 10


def test_a_job_store_that_does_not_answer_leaves_the_jobs_out_and_the_page_still_answers(mocker) -> None:
    mocker.patch.object(metrics, "JOBS_TIMEOUT", 0.1)
    mocker.patch.object(metrics, "_waiting_jobs", side_effect=lambda: time.sleep(1))
    assert metrics.jobs_page() == b""
