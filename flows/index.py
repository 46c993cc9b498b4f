"""Index flow: bring the search index up to date; what fails is caught up by the next run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import flow, get_run_logger, task

from search.indexing import index_pending
from suqiu.installation import Installation


# a run that finds another worker indexing waits for it, then indexes what that one left
LEASE_WAIT = timedelta(minutes=30)


@task(name="index-pending", retries=2, retry_delay_seconds=20)
def index_pending_task(home: str | None, rebuild: bool) -> dict[str, Any]:
    return index_pending(Installation.load(home), rebuild=rebuild, wait=LEASE_WAIT).as_dict()


@flow(name="index")
def index(home: str | None = None, rebuild: bool = False) -> dict[str, Any]:
    stats = index_pending_task(home, rebuild)
    get_run_logger().info("index: %s", {k: v for k, v in stats.items() if k != "failures"})
    return stats
