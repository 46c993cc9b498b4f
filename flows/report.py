"""Weekly demand report flow: Monday 08:00 Asia/Shanghai, about the week that just ended."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from reports.collect import write_weekly_report
from suqiu.installation import Installation
from suqiu.store import now_local
from suqiu.weeks import Week, last_complete_week


@task(name="write-weekly-report")
def write_report(home: str | None, week: str, out: str | None) -> dict[str, str]:
    return write_weekly_report(Installation.load(home), Week.parse(week), out)


@flow(name="weekly-report")
def weekly_report(home: str | None = None, week: str | None = None, out: str | None = None) -> dict[str, str]:
    """Write the weekly report (HTML, DOCX, XLSX); ``week`` defaults to the last complete ISO week."""
    target = week or str(last_complete_week(now_local()))
    paths = write_report(home, target, out)
    get_run_logger().info("weekly report %s: %s", target, paths)
    return paths
