"""What a pipeline run shows in the Prefect UI: a markdown summary, tables of counts and of the
quarantine by reason, and a progress bar while it runs.

The builders are plain functions of the pipeline's result (tested without Prefect); ``publish``
and ``Progress`` are the only parts that talk to Prefect, and only inside a flow run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact
from prefect.artifacts import update_progress_artifact

SUMMARY_KEY = "suqiu-pipeline-summary"
COUNTS_KEY = "suqiu-pipeline-counts"
QUARANTINE_KEY = "suqiu-quarantine-by-reason"
PROGRESS_KEY = "suqiu-pipeline-progress"
COUNT_COLUMNS = ("阶段", "对象", "读取", "新增", "更新", "未变", "隔离", "错误")


def _row(stage: str, what: str, **counts: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"阶段": stage, "对象": what}
    for column, key in zip(COUNT_COLUMNS[2:], ("read", "new", "updated", "unchanged", "quarantined", "error")):
        row[column] = counts.get(key, "")
    return row


def count_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per crawled source, imported file and later stage, with what it did."""
    rows = []
    ingest = result.get("ingest") or {}
    for name, s in (ingest.get("crawl") or {}).items():
        rows.append(_row("采集", name, read=s.get("items", ""), new=s.get("new", ""), updated=s.get("updated", ""),
                         unchanged=s.get("unchanged", ""), quarantined=s.get("quarantined", ""),
                         error=s.get("error") or s.get("errors", "")))
    for path, s in (ingest.get("import") or {}).items():
        rows.append(_row("导入", Path(path).name, read=s.get("rows_read", ""), new=s.get("new", ""),
                         updated=s.get("updated", ""), unchanged=s.get("unchanged", ""),
                         quarantined=s.get("quarantined", ""), error=s.get("error", "")))
    analyze, route, index = result.get("analyze") or {}, (result.get("route") or {}).get("route") or {}, \
        result.get("index") or {}
    rows.append(_row("分析", "诉求", read=analyze.get("pending", 0), new=analyze.get("analyzed", 0)))
    rows.append(_row("分派", f"待人工分派 {route.get('triage', 0)}", new=route.get("routed", 0)))
    rows.append(_row("索引", f"画像 {index.get('profiles', 0)}，主题 {index.get('topics', 0)}",
                     new=index.get("indexed", 0), error=len(index.get("failures") or []) or ""))
    return rows


def digest_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    digests = (result.get("route") or {}).get("digests") or {}
    return [{"部门": d, "条目": s.get("items", 0), "状态": s.get("status", ""), "HTML": s.get("html", ""),
             "XLSX": s.get("xlsx", "")} for d, s in digests.items()]


def summary_markdown(result: dict[str, Any], quarantine: dict[str, int]) -> str:
    """The run at a glance: counts per stage, where the report and the digests are, the quarantine."""
    lines = ["# 诉求流水线运行结果", "", "## 各阶段", "", "| " + " | ".join(COUNT_COLUMNS) + " |",
             "|" + "---|" * len(COUNT_COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COUNT_COLUMNS) + " |" for r in count_rows(result)]
    report = result.get("report") or {}
    lines += ["", "## 周报", ""] + ([f"- {kind.upper()}: `{path}`" for kind, path in report.items()] or ["（本次未生成）"])
    digests = digest_rows(result)
    lines += ["", "## 部门摘要", ""] + ([f"- {d['部门']}：{d['条目']} 项，{d['状态']}，`{d['HTML']}`" for d in digests]
                                      or ["（无）"])
    lines += ["", "## 隔离（按原因）", ""] + ([f"- {reason}: {n}" for reason, n in quarantine.items()]
                                         or ["本次运行没有隔离的数据。"])
    return "\n".join(lines) + "\n"


def publish(result: dict[str, Any], quarantine: dict[str, int]) -> dict[str, str]:
    """Create the run's artifacts (linked to the current flow run); their ids by key."""
    ids = {
        SUMMARY_KEY: create_markdown_artifact(summary_markdown(result, quarantine), key=SUMMARY_KEY,
                                              description="诉求流水线：各阶段计数、周报与部门摘要位置、隔离原因"),
        COUNTS_KEY: create_table_artifact(count_rows(result), key=COUNTS_KEY, description="各阶段计数"),
        QUARANTINE_KEY: create_table_artifact(
            [{"原因": reason, "条数": n} for reason, n in quarantine.items()] or [{"原因": "（无）", "条数": 0}],
            key=QUARANTINE_KEY, description="本次运行隔离的数据，按原因"),
    }
    return {key: str(artifact_id) for key, artifact_id in ids.items()}


class Progress:
    """A progress artifact for a long run: created at 0 %, moved on as stages finish."""

    def __init__(self, description: str, key: str = PROGRESS_KEY) -> None:
        self.description = description
        self.artifact_id = create_progress_artifact(0.0, key=key, description=description)

    def update(self, percent: float, step: str) -> None:
        update_progress_artifact(self.artifact_id, max(0.0, min(100.0, percent)),
                                 description=f"{self.description}：{step}")
