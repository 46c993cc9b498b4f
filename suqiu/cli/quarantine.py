"""Quarantine commands: list what was rejected and why, show one row, re-admit it corrected."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load

quarantine_app = typer.Typer(no_args_is_help=True, help="Rejected input: list, show, readmit (corrected).")


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    from suqiu.store.quarantine import reason_code
    return {**row, "code": reason_code(row["reason"])}


@quarantine_app.command("list")
def quarantine_list(source: Annotated[Optional[str], typer.Option(help="Source (hotline, portal_gbk, …).")] = None,
                    reason: Annotated[Optional[str], typer.Option(help="Reason code, e.g. bad_date.")] = None,
                    run: Annotated[Optional[str], typer.Option(help="Run id (of an import or a crawl).")] = None,
                    all_rows: Annotated[bool, typer.Option("--all", help="Include re-admitted rows.")] = False,
                    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
                    home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Rows kept in the quarantine, newest first, with their reason (not yet re-admitted by default)."""
    inst = load(home)
    rows = [_listed(r) for r in inst.store.quarantine_rows(source, reason, run, None if all_rows else False, limit)]
    if as_json:
        emit({"rows": rows, "by_reason": inst.store.quarantine_by_reason()})
        return
    if not rows:
        err.print("隔离区没有符合条件的记录。")
    for r in rows:
        done = f" → 已重新接纳为 {r['readmitted_record']}" if r.get("readmitted_at") else ""
        err.print(f"#{r['id']:<6} {r['at']:%Y-%m-%d %H:%M} {r['source']:<12} {r['code']:<16} "
                  f"{r['source_ref'] or ''}{done}\n        {r['reason']}", markup=False)


@quarantine_app.command("show")
def quarantine_show(row_id: Annotated[int, typer.Argument(help="Quarantine id (from `suqiu quarantine list`).")],
                    home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """One row: its reason and the payload it was kept with (edit it for `readmit --payload`)."""
    inst = load(home)
    row = inst.store.quarantine_row(row_id)
    if row is None:
        fail(f"没有编号为 {row_id} 的隔离记录")
    try:
        row["payload"] = json.loads(row["payload"])
    except ValueError:
        pass
    if as_json:
        emit(_listed(row))
        return
    err.print(f"#{row['id']} {row['source']} {row['source_ref'] or ''}\n原因：{row['reason']}（字段 {row['field'] or '—'}，"
              f"运行 {row['run_id'] or '—'}）", markup=False)
    err.print(json.dumps(row["payload"], ensure_ascii=False, indent=2), markup=False)


@quarantine_app.command("readmit")
def quarantine_readmit(row_id: Annotated[int, typer.Argument(help="Quarantine id.")],
                       set_: Annotated[Optional[list[str]], typer.Option(
                           "--set", help="Correction FIELD=VALUE (a header of the row or a record field); repeatable.")] = None,
                       payload: Annotated[Optional[Path], typer.Option(help="Edited payload (JSON) instead of the stored one.")] = None,
                       actor: Annotated[Optional[str], typer.Option(help="Who corrects it (default: this login).")] = None,
                       home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Validate a quarantined row again (corrected) and store it; the quarantine row is kept, marked."""
    from crawlers.readmit import ReadmitError, parse_sets, readmit
    inst = load(home)
    try:
        edited = json.loads(payload.read_text(encoding="utf-8")) if payload else None
        done = readmit(inst, row_id, parse_sets(set_ or []), edited, actor or getpass.getuser())
    except (ReadmitError, OSError, ValueError) as exc:
        fail(escape(str(exc)))
    if as_json:
        emit(done.as_dict())
        return
    word = {"new": "新增", "updated": "更新", "unchanged": "未变"}[done.outcome]
    err.print(f"隔离记录 #{row_id} 已重新接纳：{done.record_id}（{word}）", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(quarantine_app, name="quarantine")
