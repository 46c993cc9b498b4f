"""The CLI's one presenter: JSON on stdout for ``--json``, Chinese messages and tables on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table

from suqiu.config import ConfigError
from suqiu.installation import Installation
from suqiu.store import SchemaOutdated

err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
HomeOpt = Annotated[Optional[Path], typer.Option("--home", envvar="SUQIU_HOME", help="Installation directory.")]


def emit(payload: Any) -> None:
    """The one JSON document a ``--json`` command prints."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]错误[/red] {message}")
    raise typer.Exit(code)


def load(home: Path | None) -> Installation:
    """The installation a command works on, its store open; a bad configuration or a store at an
    older schema revision (run ``suqiu migrate``) is one clear error, not a traceback."""
    try:
        inst = Installation.load(home)
        inst.store
    except (ConfigError, SchemaOutdated) as exc:
        fail(str(exc))
    return inst


def pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.0%}" if signed else f"{value * 100:.0f}%"


def print_eval(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit(result)
        return
    err.print(f"accuracy {result['accuracy']}  macro-F1 {result['macro_f1']}  "
              f"{result['docs_per_s']} 条/秒  训练 {result.get('n_train')} 条  测试 {result['n_test']} 条")
    table = result.get("per_class")
    if not table:
        for label, f1 in result["per_class_f1"].items():
            err.print(f"  {label:12} F1 {f1}")
        return
    grid = Table(show_edge=False, box=None)
    for col in ("类别", "精确率", "召回率", "F1", "样本数"):
        grid.add_column(col, justify="left" if col == "类别" else "right")
    for label, row in table.items():
        grid.add_row(label, f"{row['precision']:.4f}", f"{row['recall']:.4f}", f"{row['f1']:.4f}", str(row["support"]))
    err.print(grid)


def print_pipeline(result: dict[str, Any]) -> None:
    """What one pipeline run did, for people."""
    for name, s in result.get("ingest", {}).get("crawl", {}).items():
        err.print(f"采集 {name}: " + (f"失败 {s['error']}" if s.get("error") else
                                      f"新增 {s.get('new', 0)}，更新 {s.get('updated', 0)}，隔离 {s.get('quarantined', 0)}"))
    for path, s in result.get("ingest", {}).get("import", {}).items():
        err.print(f"导入 {Path(path).name}: 新增 {s.get('new', 0)}，更新 {s.get('updated', 0)}，"
                  f"未变 {s.get('unchanged', 0)}，隔离 {s.get('quarantined', 0)}")
    an, ix, ro = result.get("analyze", {}), result.get("index", {}), result.get("route", {})
    err.print(f"分析 {an.get('analyzed', 0)} 条；索引 {ix.get('indexed', 0)} 条诉求、{ix.get('profiles', 0)} 份画像、"
              f"{ix.get('topics', 0)} 个主题（{ix.get('backend', '')}）；"
              f"分派 {ro.get('route', {}).get('routed', 0)} 条，待人工分派 {ro.get('route', {}).get('triage', 0)} 条")
    alerts = ro.get("alerts") or {}
    if alerts.get("deliveries"):
        err.print(f"特急提醒：{len(alerts['deliveries'])} 封（部门 {sum(alerts.get('departments', {}).values())} 件，"
                  f"信访办 {alerts.get('office', 0)} 件）")
    for dept, d in ro.get("digests", {}).items():
        err.print(f"  部门摘要 {dept}: {d.get('items', 0)} 项，{d.get('status')} → {d.get('html')}")
    for kind, path in (result.get("report") or {}).items():
        err.print(f"周报 {kind}: {path}")
