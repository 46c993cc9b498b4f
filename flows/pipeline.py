"""The whole pipeline once (``suqiu run``): ingest → analyze → route and digests → index → weekly report.

Routing comes before indexing so the index shows each demand's department and status of this run.
The run shows in the Prefect UI as artifacts (``flows.artifacts``): a progress bar while it runs,
then a markdown summary and tables of counts per stage and of this run's quarantine by reason.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from flows import artifacts
from flows.analyze import analyze
from flows.index import index
from flows.ingest import ingest
from flows.report import weekly_report
from flows.route import route
from suqiu.installation import Installation


@task(name="quarantine-by-reason")
def quarantine_by_reason(home: str | None, run_ids: list[str]) -> dict[str, int]:
    """What this run's crawls and imports quarantined, by reason."""
    return Installation.load(home).store.quarantine_by_reason(run_ids)


def ingest_run_ids(result: dict[str, Any]) -> list[str]:
    ing = result.get("ingest") or {}
    return [s["run_id"] for part in ("crawl", "import") for s in (ing.get(part) or {}).values() if s.get("run_id")]


@flow(name="pipeline")
def pipeline(home: str | None = None, sources: list[str] | None = None, files: list[str] | None = None,
             profile: str | None = None, workers: int = 0, period: str = "day",
             report_week: str | None = None, report: bool = True, crawl_retries: int = 2) -> dict[str, Any]:
    log = get_run_logger()
    progress = artifacts.Progress("诉求流水线")
    result: dict[str, Any] = {"flow_run_id": str(flow_run.id) if flow_run.id else None}
    result["ingest"] = ingest(home=home, sources=sources, files=files, profile=profile, analyze_after=False,
                              crawl_retries=crawl_retries)
    progress.update(25, "采集与导入完成")
    result["analyze"] = analyze(home=home, workers=workers)
    progress.update(55, "分析完成")
    result["route"] = route(home=home, period=period)
    progress.update(70, "分派与部门摘要完成")
    result["index"] = index(home=home)
    progress.update(85, "索引完成")
    if report:
        result["report"] = weekly_report(home=home, week=report_week)
    result["quarantine_by_reason"] = quarantine_by_reason(home, ingest_run_ids(result))
    result["artifacts"] = artifacts.publish(result, result["quarantine_by_reason"])
    progress.update(100, "完成")
    log.info("pipeline done: analyzed %s, indexed %s, routed %s",
             result["analyze"].get("analyzed"), result["index"].get("indexed"), result["route"]["route"].get("routed"))
    return result
