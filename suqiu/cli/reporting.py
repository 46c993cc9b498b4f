"""Report commands: the weekly demand report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load
from suqiu.store import now_local
from suqiu.weeks import Week, last_complete_week

report_app = typer.Typer(no_args_is_help=True, help="Reports for the petition office.")


@report_app.command("weekly")
def report_weekly(week: Annotated[Optional[str], typer.Option(help="ISO week such as 2026-W47.")] = None,
                  out: Annotated[Optional[Path], typer.Option(help="Output directory.")] = None,
                  home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """The weekly demand report (HTML, DOCX, XLSX)."""
    from reports.collect import write_weekly_report
    inst = load(home)
    try:
        w = Week.parse(week) if week else last_complete_week(now_local())
    except ValueError as exc:
        fail(str(exc))
    with err.status(f"正在生成 {w} 周报…"):
        paths = write_weekly_report(inst, w, out)
    if as_json:
        emit({"week": str(w), "files": paths})
    else:
        for kind, path in paths.items():
            err.print(f"{kind:5} {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
