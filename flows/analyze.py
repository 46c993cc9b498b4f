"""Analyze flow: NLP on what is new or changed (text stage, classifiers, topics)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from suqiu.app import App


@task(name="analyze-pending")
def analyze_pending_task(home: str | None, workers: int) -> dict[str, Any]:
    from suqiu.analyze import analyze_pending
    return analyze_pending(App.load(home), workers=workers)


@flow(name="analyze")
def analyze(home: str | None = None, workers: int = 0) -> dict[str, Any]:
    stats = analyze_pending_task(home, workers)
    get_run_logger().info("analyze: %s", {k: v for k, v in stats.items() if k != "stages"})
    return stats
