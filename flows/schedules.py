"""The schedules, in version control: one table used by the serve script and checked against
``prefect.yaml`` (the worker-based deployments for a Prefect server) by the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Scheduled:
    name: str          # deployment name
    entrypoint: str    # module:flow
    cron: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


SCHEDULES: tuple[Scheduled, ...] = (
    Scheduled("ingest-hourly", "flows/ingest.py:ingest", "0 * * * *",
              "每小时采集各渠道诉求并分析、分派、索引，特急诉求即时提醒"),
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
