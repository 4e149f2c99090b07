"""Prometheus metrics: what the app counts, and the `/metrics` page that shows them.

Labels name only things from a fixed set this code knows: a command or button name, an outcome word, an API
endpoint with its ids replaced by `{id}`, an HTTP status, a Slack method. Never a user id, an email, a phone
or any other value a person typed.

Several serving processes (`serve --processes N`): `serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory
before this module is first imported, each process writes its figures there, and the page sums them.

Jobs waiting and the age of the oldest, by queue, are read from the job engine when the page is asked for
(`jobs_page`), with a short limit: a database that does not answer leaves them out rather than hold the page.
"""

from __future__ import annotations

import hmac
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

# Slack allows 3 s for an ack; the buckets are finest where an ack should be.
_ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
_API_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HANDLED = Counter("loyalty_bot_handled", "Commands, clicks, submissions and events handled, by name and outcome",
                  ["name", "outcome"])
ACK_SECONDS = Histogram("loyalty_bot_ack_seconds", "Time from a Slack request's arrival to its answer",
                        buckets=_ACK_BUCKETS)
API_SECONDS = Histogram("loyalty_bot_loyalty_api_seconds", "Loyalty API calls by endpoint and status",
                        ["method", "endpoint", "status"], buckets=_API_BUCKETS)
OUTCOME_UNKNOWN = Counter("loyalty_bot_outcome_unknown", "Changes sent to the loyalty API whose outcome is unknown",
                          ["endpoint"])
SLACK_ERRORS = Counter("loyalty_bot_slack_api_errors", "Slack Web API calls that failed, by method", ["method"])

_ID = re.compile(r"/\d+(?=/|$)")


def endpoint(path: str) -> str:
    """The API path with its ids replaced by `{id}`: `/loyalty-cards/12/stats/7` -> `/loyalty-cards/{id}/stats/{id}`."""
    return _ID.sub("/{id}", path.split("?", 1)[0])


def allowed(authorization: str | None, token: str | None) -> bool:
    """Whether a request for the page may read it: always without a token, else only with `Bearer <token>`."""
    if not token:
        return True
    return hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode())


def page() -> bytes:
    """The Prometheus text of every metric: this process's, or all serving processes' in multiprocess mode, and
    the jobs waiting when a job engine runs in this process."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    return text + jobs_page()


JOBS_TIMEOUT = 2.0
"""Seconds the page waits for the job engine's figures."""
_jobs_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="metrics-jobs")


def jobs_page(now: float | None = None) -> bytes:
    """`loyalty_bot_jobs_waiting` and `loyalty_bot_jobs_oldest_waiting_seconds` by queue, or nothing in time."""
    try:
        waiting = _jobs_reader.submit(_waiting_jobs).result(timeout=JOBS_TIMEOUT)
    except Exception:  # no engine here, or a stalled database: the page still answers, without these two
        return b""
    moment = time.time() if now is None else now
    count = GaugeMetricFamily("loyalty_bot_jobs_waiting", "Background jobs enqueued and not started", labels=["queue"])
    oldest = GaugeMetricFamily("loyalty_bot_jobs_oldest_waiting_seconds", "Age of the oldest job waiting",
                               labels=["queue"])
    for queue, created in sorted(waiting.items()):
        count.add_metric([queue], len(created))
        oldest.add_metric([queue], max(0.0, moment - min(created)))
    registry = CollectorRegistry()
    registry.register(_Fixed([count, oldest]))
    return generate_latest(registry)


def _waiting_jobs() -> dict[str, list[float]]:
    from dbos import DBOS

    waiting: dict[str, list[float]] = {}
    for job in DBOS.list_workflows(status="ENQUEUED", queues_only=True, load_input=False, load_output=False):
        waiting.setdefault(job.queue_name or "", []).append((job.created_at or 0) / 1000)
    return waiting


class _Fixed(Collector):
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self._families = families

    def collect(self) -> Iterator[GaugeMetricFamily]:
        return iter(self._families)
