"""Two-way commands: route, reassign, department digests, deliveries, reply figures, API tokens."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from suqiu.cli.choices import Period, TokenRole
from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load, pct
from suqiu.installation import Installation
from suqiu.twoway.dispatch import RoutingError, reassign as do_reassign, route_pending
from suqiu.twoway.tokens import TokenError, create_token, list_tokens, revoke_token

token_app = typer.Typer(no_args_is_help=True, help="API tokens for departments, the petition office and Open311 apps.")


def route(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Route analysed demands to departments or to the manual triage queue."""
    stats = route_pending(load(home)).as_dict()
    if as_json:
        emit(stats)
        return
    err.print(f"已分派 {stats['routed']} 件，转人工分派 {stats['triage']} 件，仍待人工 {stats['unchanged']} 件")
    for name, n in stats["by_department"].items():
        err.print(f"  {name}: {n}")


def reassign(record_id: Annotated[str, typer.Argument(help="Record id (source:source_id).")],
             department: Annotated[str, typer.Option(help="New department (name or alias).")],
             reason: Annotated[str, typer.Option(help="Why (kept in the record's history).")],
             actor: Annotated[str, typer.Option(help="Who reassigns.")] = "信访办",
             home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Move a demand to another department (petition office); search and the digests follow at once."""
    from search.indexing import index_records
    inst = load(home)
    try:
        out = do_reassign(inst, record_id, department, reason, actor)
    except RoutingError as exc:
        fail(str(exc))
    index_records(inst, [record_id])
    if as_json:
        emit(out)
        return
    err.print(f"{record_id}: {out['from'] or '待人工分派'} → {out['to']}（{reason}）")


def digest(department: Annotated[str, typer.Option(help="Department name, or 'all'.")],
           period: Annotated[Period, typer.Option(help="Which period the digest covers.")] = Period.DAY,
           home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Render and deliver one department's digest (--department all: every department)."""
    from reports.digests import DigestError, deliver_digest
    from suqiu.twoway.delivery import OutboxError
    inst = load(home)
    names = [d.name for d in inst.config.departments] if department == "all" else [department]
    results = []
    for name in names:
        try:
            results.append(deliver_digest(inst, name, period.value))
        except (DigestError, OutboxError) as exc:
            fail(escape(str(exc)))
    if as_json:
        emit(results[0] if len(results) == 1 and department != "all" else {"deliveries": results})
    else:
        labels = {"sent": "已发送", "failed": "发送失败，稍后重试", "outbox": "已写入发件箱"}
        for r in results:
            err.print(f"{r['department']}: 新诉求 {r['items']} 件（{r['submissions']} 次反映），紧急 {r['urgent']} 件，"
                      f"超期 {r['overdue']} 件 — {labels.get(r['status'], r['status'])}")
            err.print(f"  {r['html']}")
            if r["error"]:
                err.print(f"  [yellow]{r['error']}[/yellow]")
    failed = [r for r in results if r["status"] == "failed"]
    failed += [x for r in results for x in r.get("retried", []) if x["status"] == "failed"]
    undelivered(inst, failed)


def undelivered(inst: Installation, failed: list[dict[str, Any]]) -> None:
    """Exit 1 with a Chinese message when any delivery failed, so a scheduler sees SMTP is down."""
    ids = sorted({r["delivery_id"] for r in failed})
    if ids:
        smtp = inst.config.smtp
        fail(f"{len(ids)} 件投递失败（邮件服务器 {smtp.host}:{smtp.port} 不可达或拒收），已保留在发件箱并安排重试；"
             f"请检查邮件服务器后运行 suqiu deliveries --retry。")


def deliveries(retry: Annotated[bool, typer.Option(help="Send pending and failed deliveries now.")] = False,
               department: Annotated[Optional[str], typer.Option(help="Only this department.")] = None,
               home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Digest deliveries and their status; --retry re-sends the ones not yet delivered."""
    from suqiu.twoway.delivery import list_deliveries, retry_due
    inst = load(home)
    known = inst.config.department(department) if department else None
    dept = known.name if known else department
    retried = retry_due(inst, department=dept, force=True) if retry else []
    rows = list_deliveries(inst, dept)
    if as_json:
        emit({"retried": retried, "deliveries": rows})
    else:
        for r in rows:
            err.print(f"#{r['id']} {r['created_at']:%Y-%m-%d %H:%M} {r['department']} {r['period']} {r['status']} "
                      f"尝试 {r['attempts']} 次 {r['last_error'] or ''}")
    undelivered(inst, [r for r in retried if r["status"] == "failed"])


def figures(department: Annotated[Optional[str], typer.Option(help="Only this department.")] = None,
            home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Reply figures per department: response time, closure, on-time, satisfaction, reopen, reply quality."""
    from suqiu.twoway.tracking import RANKABLE_METRICS, department_figures, rank_departments
    inst = load(home)
    dept = None
    if department:
        found = inst.config.department(department)
        if found is None:
            fail(f"未知部门: {department}")
        dept = found.name
    figs = department_figures(inst.store, inst.config, dept)
    min_count = inst.config.tracking.min_count
    payload = {"departments": {k: v.as_dict() for k, v in figs.items()}, "min_count": min_count,
               "rankings": {m: rank_departments(figs, m, min_count) for m in RANKABLE_METRICS}}
    if as_json:
        emit(payload)
        return
    for f in figs.values():
        hours = "—" if f.response_hours_median is None else f"{f.response_hours_median:.0f}h"
        err.print(f"{f.department}: 分派 {f.assigned} 已答复 {f.answered} 超期 {f.overdue} 答复时长中位 {hours} "
                  f"办结率 {pct(f.closure_rate)} 满意率 {pct(f.satisfaction_rate)} 重办率 {pct(f.reopen_rate)}"
                  + ("" if f.rankable else "（件数不足，不排名）"))


@token_app.command("add")
def token_add(department: Annotated[Optional[str], typer.Argument(help="Department (omit with --role office/client).")] = None,
              label: Annotated[Optional[str], typer.Option(help="Who holds it.")] = None,
              role: Annotated[TokenRole, typer.Option(help="Who the token speaks for.")] = TokenRole.DEPARTMENT,
              scope: Annotated[Optional[list[str]], typer.Option(
                  help="A client's department (repeatable): it files for them and reads their internal demands.")] = None,
              home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Make an API token; it is printed once and only its hash is kept."""
    inst = load(home)
    try:
        tid, token = create_token(inst, department, label, role.value, scope=scope)
    except TokenError as exc:
        fail(str(exc))
    if as_json:
        known = inst.config.department(department) if department else None
        emit({"id": tid, "token": token, "role": role.value, "department": known.name if known else None,
              "scope": [inst.config.department(n).name for n in scope or []]})
        return
    err.print("令牌只显示这一次，请妥善保存：")
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """API tokens (hash prefixes only)."""
    rows = list_tokens(load(home))
    if as_json:
        emit(rows)
        return
    for r in rows:
        state = "已吊销" if r["revoked_at"] else "有效"
        scope = f"范围：{'、'.join(r['scope'])} " if r.get("scope") else ""
        err.print(f"#{r['id']} {r['prefix']}… {r['role']} {r['department'] or ''} {r['label'] or ''} {scope}{state}")


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id from `suqiu token list`.")],
                 home: HomeOpt = None) -> None:
    """Revoke an API token."""
    if not revoke_token(load(home), token_id):
        fail(f"令牌 #{token_id} 不存在或已吊销")
    err.print(f"令牌 #{token_id} 已吊销")


def register(app: typer.Typer) -> None:
    for fn in (route, reassign, digest, deliveries, figures):
        app.command()(fn)
    app.add_typer(token_app, name="token")
