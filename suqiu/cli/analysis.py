"""Analysis commands: analyze, and the stored views (topics, hotspots, profiles)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from suqiu.cli.choices import Dimension
from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load


def analyze(home: HomeOpt = None, as_json: JsonOpt = False,
            workers: Annotated[int, typer.Option(help="Processes for the text stage; 0: two from 2,000 pending records.")] = 0) -> None:
    """NLP on what is new or changed."""
    from nlp.stages import default_stages, run_stages
    inst = load(home)
    # no auto-refresh thread: the worker pool may then fork (cheaper than spawning workers)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("分析文本", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        stats = run_stages(inst, default_stages(workers), progress=progress)
    if as_json:
        emit(stats)
        return
    if stats["run_id"] is None:
        err.print("没有新的或变更的记录需要分析")
        return
    err.print(f"已分析 {stats['analyzed']} 条（{stats.get('chars_per_s', 0):,} 字/秒，{stats.get('workers', 1)} 个进程）；"
              f"补全区县 {stats.get('district_filled', 0)} 条；"
              f"重复组 {stats.get('dup_groups', 0)} 个，涉及 {stats.get('records_in_dup_groups', 0)} 条")
    masked = stats.get("pii_masked") or {}
    if masked:
        err.print("已遮蔽个人信息: " + "，".join(f"{k} {v}" for k, v in masked.items()))


def topics(home: HomeOpt = None, as_json: JsonOpt = False,
           refit: Annotated[bool, typer.Option(help="Refit the topic model on all demands first.")] = False) -> None:
    """Topics found in the demands."""
    from suqiu.cli.views_output import print_topics, topics_payload
    payload = topics_payload(load(home), refit=refit)
    emit(payload) if as_json else print_topics(err, payload)


def hotspots(home: HomeOpt = None, as_json: JsonOpt = False,
             top: Annotated[int, typer.Option(min=1, help="How many hotspots.")] = 10) -> None:
    """Hotspots (热点问题) ranked by heat."""
    from suqiu.cli.views_output import hotspots_payload, print_hotspots
    payload = hotspots_payload(load(home), top)
    emit(payload) if as_json else print_hotspots(err, payload)


def profiles(dimension: Annotated[Dimension, typer.Option(help="Which dimension.")] = Dimension.DISTRICT,
             week: Annotated[Optional[str], typer.Option(help="ISO week such as 2026-W47; default: the latest.")] = None,
             home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Differentiated demand profiles (需求画像)."""
    from suqiu.cli.views_output import print_profiles, profiles_payload
    try:
        payload = profiles_payload(load(home), dimension.value, week)
    except ValueError as exc:
        fail(str(exc))
    emit(payload) if as_json else print_profiles(err, payload)


def register(app: typer.Typer) -> None:
    for fn in (analyze, topics, hotspots, profiles):
        app.command()(fn)
