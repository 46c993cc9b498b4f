"""Analyze flow: each analysis stage (text, classify, topics, views) as its own task, in order.

A failed stage shows as its own failed task; the stages after it (which read its output) are not
run, and everything stays pending for the next run (each stage reads its own pending work).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow, get_run_logger, task

from nlp.stages import STAGE_NAMES, run_claimed, stage_named
from suqiu.installation import Installation


@task(name="analyze-start")
def start_run(home: str | None) -> str:
    return Installation.load(home).store.start_run("analyze")


@task(name="analyze-finish")
def finish_run(home: str | None, run_id: str, result: dict[str, Any], error: str | None) -> None:
    Installation.load(home).store.finish_run(run_id, result, error=error)


@contextmanager
def recorded_run(home: str | None, result: dict[str, Any]) -> Iterator[str]:
    """One ``analyze`` run around the body: its id in ``result``, finished with ``result`` or the error."""
    run_id = result["run_id"] = start_run(home)
    error = None
    try:
        yield run_id
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        finish_run(home, run_id, result, error)


@task(name="analyze-stage", task_run_name="analyze-{name}")
def run_stage(home: str | None, name: str, workers: int, run_id: str | None = None) -> dict[str, Any] | None:
    """One stage under its lease (the heartbeat of ``run_id``), if it has work; its stats (None: nothing to do)."""
    inst = Installation.load(home)
    stats = run_claimed(stage_named(name, workers), inst, run_id=run_id)
    return None if stats is None else stats.as_dict()


@task(name="analyze-has-work")
def any_work(home: str | None) -> bool:
    inst = Installation.load(home)
    return any(stage_named(n).has_work(inst) for n in STAGE_NAMES)


@flow(name="analyze")
def analyze(home: str | None = None, workers: int = 0) -> dict[str, Any]:
    """NLP on what is new or changed, recorded as one ``analyze`` run."""
    result: dict[str, Any] = {"pending": 0, "analyzed": 0, "stages": {}, "run_id": None}
    if not any_work(home):
        return result
    with recorded_run(home, result) as run_id:
        for name in STAGE_NAMES:
            stats = run_stage(home, name, workers, run_id)
            if stats is None:
                continue
            if name == "analyze":
                result.update(stats)
            else:
                result["stages"][name] = stats
    get_run_logger().info("analyze: %s", {k: v for k, v in result.items() if k != "stages"})
    return result
