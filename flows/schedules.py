"""The deployments, in version control: one table used by the serve script and checked against
``prefect.yaml`` (the worker-based deployments for a Prefect server) by the tests.

Each deployment runs one at a time (``concurrency_limit`` 1): an hourly ingest that runs long
makes the next hour's run wait (``ENQUEUE``) or, for the ingest itself, skips it (``CANCEL_NEW``:
the run after catches up, as every stage reads its own pending work). The ``analyze`` and
``index`` deployments have no schedule (the ingest runs both); they are there to be started by
hand or by an automation after a bulk import, and still one at a time. Work a flow shares with
another flow (the analysis stages inside ingest, routing inside the pipeline) is kept apart by the
store's leases, which deployment limits cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIMEZONE = "Asia/Shanghai"
WORK_POOL = "suqiu"
# every worker process gets the installation and the shared store from the work pool
JOB_ENV = {"SUQIU_HOME": "{{ $SUQIU_HOME }}", "SUQIU_STORE_URL": "{{ $SUQIU_STORE_URL }}"}


@dataclass(frozen=True)
class Scheduled:
    name: str          # deployment name
    entrypoint: str    # module:flow
    cron: str | None   # None: started on demand only
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    limit: int = 1
    collision: str = "ENQUEUE"   # or CANCEL_NEW: a run that would overlap is cancelled

    def concurrency(self) -> dict[str, Any]:
        """The deployment's ``concurrency_limit`` as prefect.yaml writes it."""
        return {"limit": self.limit, "collision_strategy": self.collision}


SCHEDULES: tuple[Scheduled, ...] = (
    Scheduled("ingest-hourly", "flows/ingest.py:ingest", "0 * * * *",
              "每小时采集各渠道诉求并分析、分派、索引，特急诉求即时提醒", collision="CANCEL_NEW"),
    Scheduled("analyze", "flows/analyze.py:analyze", None, "分析尚未分析或已变更的诉求（按需启动）"),
    Scheduled("index", "flows/index.py:index", None, "把检索索引补齐到最新（按需启动）"),
    Scheduled("digests-daily", "flows/route.py:route", "0 8 * * *",
              "每天 08:00 向各部门推送诉求日报", {"period": "day"}),
    Scheduled("weekly-report", "flows/report.py:weekly_report", "0 8 * * 1",
              "每周一 08:00 生成上周诉求周报"),
    Scheduled("monthly-report", "flows/leaders.py:leaders_report", "0 8 1 * *",
              "每月 1 日 08:00 生成上月诉求月报并发送", {"kind": "month"}),
    Scheduled("quarterly-report", "flows/leaders.py:leaders_report", "0 8 1 1,4,7,10 *",
              "每季度首日 08:00 生成上季度诉求季报并发送", {"kind": "quarter"}),
    Scheduled("yearly-report", "flows/leaders.py:leaders_report", "0 9 1 1 *",
              "每年 1 月 1 日 09:00 生成上年诉求年报并发送", {"kind": "year"}),
)
