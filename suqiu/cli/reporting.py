"""Report commands: the weekly demand report, the leaders' 月报/季报/年报 and the 每月一题 pick."""

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


def _leaders(kind: str, period: str | None, out: Path | None, email: bool, home: Path | None, as_json: bool) -> None:
    from reports.leaders_flow import run_leaders_report
    from reports.periods import Period
    inst = load(home)
    try:
        p = Period.parse(period, kind) if period else Period.last_complete(now_local(), kind)
    except ValueError as exc:
        fail(str(exc))
    with err.status(f"正在生成 {p.name}报告…"):
        result = run_leaders_report(inst, p, out, email=email)
    if as_json:
        emit(result)
        return
    for key, path in result["files"].items():
        err.print(f"{key:6} {path}")
    for i, c in enumerate(result["candidates"], start=1):
        err.print(f"每月一题候选 {i}. [{c['topic_id']}] {c['label']}：{'；'.join(c['reasons'])}")
    err.print(f"邮件：{result['mail']['status']}")


PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="2026-11, 2026-Q4 or 2026 (default: the last complete one).")]
OutOpt = Annotated[Optional[Path], typer.Option(help="Output directory.")]
EmailOpt = Annotated[bool, typer.Option("--email/--no-email", help="Mail it to [reports] recipients.")]


@report_app.command("monthly")
def report_monthly(period: PeriodOpt = None, out: OutOpt = None, email: EmailOpt = False, home: HomeOpt = None,
                   as_json: JsonOpt = False) -> None:
    """The leaders' monthly report (月报) with 同比, 环比 and 每月一题 candidates."""
    _leaders("month", period, out, email, home, as_json)


@report_app.command("quarterly")
def report_quarterly(period: PeriodOpt = None, out: OutOpt = None, email: EmailOpt = False, home: HomeOpt = None,
                     as_json: JsonOpt = False) -> None:
    """The leaders' quarterly report (季报)."""
    _leaders("quarter", period, out, email, home, as_json)


@report_app.command("yearly")
def report_yearly(period: PeriodOpt = None, out: OutOpt = None, email: EmailOpt = False, home: HomeOpt = None,
                  as_json: JsonOpt = False) -> None:
    """The leaders' yearly report (年报)."""
    _leaders("year", period, out, email, home, as_json)


@report_app.command("pick-topic")
def report_pick_topic(topic: Annotated[int, typer.Option(help="The topic id (suqiu report topics lists candidates).")],
                      month: Annotated[Optional[str], typer.Option(help="2026-11 (default: the last complete month).")] = None,
                      note: Annotated[str, typer.Option(help="Why, for the record.")] = "",
                      home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Record the office's 每月一题 for a month; later reports show its figures before and after."""
    from reports.leaders_collect import pick_topic
    from reports.periods import Period
    inst = load(home)
    try:
        m = month or str(Period.last_complete(now_local(), "month"))
        pick = pick_topic(inst, m, topic, by="suqiu cli", note=note)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit(pick)
    else:
        err.print(f"{pick['month']} 每月一题：[{pick['topic_id']}] {pick['label']}")


@report_app.command("topics")
def report_topics(month: Annotated[Optional[str], typer.Option(help="2026-11 (default: the last complete month).")] = None,
                  home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """每月一题 candidates of a month, ranked, with their reasons."""
    from reports.leaders_collect import period_candidates
    from reports.periods import Period
    inst = load(home)
    try:
        p = Period.parse(month, "month") if month else Period.last_complete(now_local(), "month")
    except ValueError as exc:
        fail(str(exc))
    found = period_candidates(inst, p)
    if as_json:
        emit({"month": str(p), "candidates": found})
        return
    for i, c in enumerate(found, start=1):
        err.print(f"{i}. [{c['topic_id']}] {c['label']}（{c['score']:.2f}）：{'；'.join(c['reasons'])}")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
