"""The analysis stages in the order they run, and ``run_all`` (the body of ``suqiu analyze``).

    text (analyze) → levels (分级分类) → classify → topics → views

Each stage reads its own pending work from the store, so any worker can run any stage and a
re-run does nothing new. The ``analyze`` Prefect flow runs each as its own task.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from nlp.stages.base import Progress, Stage, StageStats
from nlp.stages.classify import ClassifyStage
from nlp.stages.levels import LevelsStage
from nlp.stages.text import TextStage
from nlp.stages.topics import TopicsStage
from nlp.stages.views import ViewsStage
from suqiu.installation import Installation
from suqiu.logs import run_context

log = logging.getLogger(__name__)

STAGE_NAMES = ("analyze", "levels", "classify", "topics", "views")


def default_stages(workers: int = 0) -> list[Stage]:
    """A fresh instance of every stage, in order."""
    return [TextStage(workers=workers), LevelsStage(), ClassifyStage(), TopicsStage(), ViewsStage()]


def stage_named(name: str, workers: int = 0) -> Stage:
    for stage in default_stages(workers):
        if stage.name == name:
            return stage
    raise ValueError(f"unknown stage '{name}'; stages: {', '.join(STAGE_NAMES)}")


def run_stages(inst: Installation, stages: Sequence[Stage] | None = None, progress: Progress | None = None,
               force: bool = False) -> dict[str, Any]:
    """Run every stage that has work, in order, as one recorded ``analyze`` run.

    The text stage's figures are the top level of the result (what ``suqiu analyze`` reports);
    later stages' stats are under ``stages``. Nothing pending anywhere: no run is recorded."""
    stages = list(stages) if stages is not None else default_stages()
    result: dict[str, Any] = {"pending": 0, "analyzed": 0, "stages": {}, "run_id": None}
    if not force and not any(s.has_work(inst) for s in stages):
        return result
    store = inst.store
    result["run_id"] = run_id = store.start_run("analyze")
    with run_context(run_id):   # every line logged during the run carries its id
        _run_in_order(inst, stages, progress, force, result)
        log.info("analyze: %s analyzed, stages %s", result.get("analyzed"), sorted(result["stages"]))
    return result


def _run_in_order(inst: Installation, stages: list[Stage], progress: Progress | None, force: bool,
                  result: dict[str, Any]) -> None:
    store, run_id = inst.store, result["run_id"]

    def alive(_done: int, _total: int) -> None:  # another host tells a live run by its heartbeat
        store.heartbeat(run_id)

    def beat(done: int, total: int) -> None:
        alive(done, total)
        if progress is not None:
            progress(done, total)

    try:
        for stage in stages:
            store.heartbeat(run_id)
            if not force and not stage.has_work(inst):  # asked again: the stage before may have made work
                continue
            stats = stage.run(inst, beat if isinstance(stage, TextStage) else alive)
            if isinstance(stage, TextStage):
                result.update(stats.as_dict())
            else:
                result["stages"][stage.name] = stats.as_dict()
    except BaseException as exc:
        store.finish_run(run_id, result, error=f"{type(exc).__name__}: {exc}")
        raise
    store.finish_run(run_id, result)


__all__ = ["Stage", "StageStats", "TextStage", "LevelsStage", "ClassifyStage", "TopicsStage", "ViewsStage", "STAGE_NAMES",
           "default_stages", "stage_named", "run_stages"]
