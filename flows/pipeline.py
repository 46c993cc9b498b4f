"""The whole pipeline once (``suqiu run``): ingest → analyze → route and digests → index → weekly report.

Routing comes before indexing so the index shows each demand's department and status of this run.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from flows.analyze import analyze
from flows.index import index
from flows.ingest import ingest
from flows.report import weekly_report
from flows.route import route


@flow(name="pipeline")
def pipeline(home: str | None = None, sources: list[str] | None = None, files: list[str] | None = None,
             profile: str | None = None, workers: int = 0, period: str = "day",
             report_week: str | None = None, report: bool = True) -> dict[str, Any]:
    log = get_run_logger()
    result: dict[str, Any] = {
        "ingest": ingest(home=home, sources=sources, files=files, profile=profile, analyze_after=False)}
    result["analyze"] = analyze(home=home, workers=workers)
    result["route"] = route(home=home, period=period)
    result["index"] = index(home=home)
    if report:
        result["report"] = weekly_report(home=home, week=report_week)
    log.info("pipeline done: analyzed %s, indexed %s, routed %s",
             result["analyze"].get("analyzed"), result["index"].get("indexed"), result["route"]["route"].get("routed"))
    return result
