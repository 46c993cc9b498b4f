"""The leaders' reports (月报, 季报, 年报): on the 1st at 08:00 Asia/Shanghai, about the month,
quarter or year that just ended, mailed to ``[reports] recipients``."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from reports.leaders_flow import run_leaders_report
from reports.periods import Period
from suqiu.installation import Installation
from suqiu.store import now_local


@task(name="write-leaders-report", retries=2, retry_delay_seconds=60)
def write_report(home: str | None, kind: str, period: str, out: str | None, email: bool) -> dict[str, Any]:
    return run_leaders_report(Installation.load(home), Period.parse(period, kind), out, email=email)


@flow(name="leaders-report")
def leaders_report(home: str | None = None, kind: str = "month", period: str | None = None, out: str | None = None,
                   email: bool = True) -> dict[str, Any]:
    """Write (and mail) one report; ``period`` defaults to the last complete month, quarter or year."""
    target = period or str(Period.last_complete(now_local(), kind))
    result = write_report(home, kind, target, out, email)
    get_run_logger().info("%s report %s: %s, mail %s", kind, target, result["files"], result["mail"]["status"])
    return result
