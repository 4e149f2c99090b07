"""The services a listener may call, built once per process and handed to every handler."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.access import Access
from bot.changes import Changes
from bot.config import Settings
from bot.coupontools.client import LoyaltyClient
from bot.health import HealthProbe
from bot.interaction import Interaction
from bot.lookup import Lookup
from bot.stats import MemberCache
from bot.store import Store
from bot.work import Worker

if TYPE_CHECKING:
    from bot.jobs.engine import Engine


@dataclass
class Services:
    settings: Settings
    slack: WebClient
    loyalty: LoyaltyClient
    lookup: Lookup
    access: Access
    store: Store
    changes: Changes
    worker: Worker
    jobs: Engine | None = None
    """The durable job engine, when this process runs or enqueues background jobs (bot/jobs)."""
    probe: HealthProbe = field(init=False)
    member_figures: MemberCache = field(init=False)
    """Each card's member figures for `stats`, kept LOYALTY_STATS_TTL seconds."""

    def __post_init__(self) -> None:
        self.probe = HealthProbe(lambda: self.store.ping()).start()
        self.member_figures = MemberCache(self.settings.loyalty_stats_ttl)

    def defer(self, interaction: Interaction, task: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `task` after the ack, reporting any failure to the user in words."""
        return self.worker.submit(interaction, task, *args)

    def healthy(self) -> bool:
        """Whether this process can serve: the database answered the background probe lately (never waits)."""
        return self.probe.healthy()

    def start_jobs(self, *, run: bool = True, role: str = "web") -> None:
        """Start this process's job engine: `run` takes jobs from the queues, else it only enqueues them."""
        from bot.jobs import context
        from bot.jobs.engine import Engine

        self.jobs = Engine(self.store, self.settings.database_url, run_jobs=run,
                           executor_id=self.settings.loyalty_executor_id, role=role,
                           schema=self.settings.loyalty_jobs_schema, settings=self.settings)
        context.bind(self)  # before launch: pending jobs of this executor resume at once
        self.jobs.start()

    def close(self) -> None:
        """Stop taking jobs, finish the work already accepted, then release connections."""
        if self.jobs is not None:
            from bot.jobs import context

            self.jobs.stop()
            context.bind(None)
        self.probe.stop()
        self.worker.shutdown(wait=True)
        self.loyalty.close()
        self.store.close()
