"""The ``suqiu`` command line (DESIGN.md, command-line contract).

Every command honours SUQIU_HOME. Commands that report take ``--json`` and then print exactly one
JSON document on stdout; progress and messages go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape

from suqiu.config import ConfigError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="suqiu 诉求: citizen demand analytics.")
train_app = typer.Typer(no_args_is_help=True, help="Train models from labelled exports.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate models; one JSON line per run.")
report_app = typer.Typer(no_args_is_help=True, help="Reports for the petition office.")
user_app = typer.Typer(no_args_is_help=True, help="Web users: petition office, departments, public.")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(report_app, name="report")
token_app = typer.Typer(no_args_is_help=True, help="API tokens for departments, the petition office and Open311 apps.")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")

err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
HomeOpt = Annotated[Optional[Path], typer.Option("--home", envvar="SUQIU_HOME", help="Installation directory.")]


def emit(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]错误[/red] {message}")
    raise typer.Exit(code)


def load_app(home: Path | None):  # -> App, imported lazily so `--help` stays fast
    from suqiu.app import App
    try:
        return App.load(home)
    except ConfigError as exc:
        fail(str(exc))


def not_yet(command: str, issue: int) -> NoReturn:
    fail(f"`suqiu {command}` is not available in this build yet (tracked in issue #{issue}).", code=2)


# --------------------------------------------------------------------------- foundation
@app.command()
def init(home: HomeOpt = None,
         force: Annotated[bool, typer.Option(help="Overwrite an existing configuration.")] = False) -> None:
    """Write a default configuration under SUQIU_HOME."""
    from suqiu.app import App, write_default_config
    from suqiu.config import home_dir
    path, written = write_default_config(home_dir(home), force=force)
    err.print(f"{'已写入' if written else '已存在，未覆盖'} 配置文件: {path}")
    a = App.load(home)
    a.store  # creates the database and its schema
    err.print(f"数据目录: {a.data_dir}")


@app.command()
def doctor(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Check configuration, store, search backend (and Elasticsearch's version) and fonts."""
    from suqiu.doctor import run_checks
    checks = run_checks(home)
    if as_json:
        emit({"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]})
    else:
        for c in checks:
            mark = "[green]✓[/green]" if c.ok else "[red]✗[/red]"
            err.print(f"{mark} {c.name:9} {c.detail}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command()
def status(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of records, quarantine, analysis, index, routing, replies and overdue items."""
    a = load_app(home)
    from suqiu.tracking import overdue_count
    payload = a.store.status()
    payload["overdue"] = overdue_count(a.store, a.config)
    if as_json:
        emit(payload)
        return
    rec = payload["records"]
    err.print(f"记录 {rec['total']} 条 {rec['by_source']}")
    for key, label in (("quarantined", "隔离"), ("analyzed", "已分析"), ("indexed", "已索引"),
                       ("routed", "已分派"), ("triage", "待人工分派"), ("replied", "已答复"), ("overdue", "超期")):
        err.print(f"{label:6} {payload[key]}")


# --------------------------------------------------------------------------- ingestion
@app.command()
def crawl(source: Annotated[str, typer.Argument(help="Configured source name (portal, reviews, open311, …) or 'all'.")],
          home: HomeOpt = None, as_json: JsonOpt = False,
          resume: Annotated[bool, typer.Option(help="Keep the request queue (JOBDIR) so an interrupted crawl resumes.")] = False,
          full: Annotated[bool, typer.Option(help="Ignore what is already stored and crawl everything.")] = False) -> None:
    """Run one configured crawler (in a child process: Scrapy's reactor cannot restart)."""
    from crawlers.run import CrawlError, crawl_sources, describe_stats
    a = load_app(home)
    try:
        results = crawl_sources(a, source, resume=resume, full=full)
    except CrawlError as exc:
        fail(str(exc))
    if as_json:
        emit(results[source] if source != "all" else {"sources": results})
    else:
        for line in describe_stats(results):
            err.print(line)
    if any(r.get("error") for r in results.values()):
        raise typer.Exit(1)


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(exists=False)],
            profile: Annotated[Optional[str], typer.Option(help="Import profile name; default: by headers.")] = None,
            home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Import a hotline or message-board export (CSV/XLSX)."""
    a = load_app(home)
    from crawlers.importers.profiles import NoProfileMatch
    from crawlers.importers.readers import ImportFileError
    from crawlers.importers.run import import_file
    try:
        stats = import_file(a.store, a.config, file, profile, notify=lambda m: err.print(m, markup=False))
    except (ImportFileError, NoProfileMatch) as exc:
        fail(escape(str(exc)))
    result = stats.as_dict()
    if as_json:
        emit(result)
        return
    err.print(f"读取 {result['rows_read']} 行：新增 {result['new']}，更新 {result['updated']}，"
              f"未变 {result['unchanged']}，隔离 {result['quarantined']}（用时 {result['seconds']:.1f} 秒）",
              markup=False)
    for code, n in result["quarantined_by_reason"].items():
        err.print(f"  隔离原因 {code}: {n}", markup=False)


# --------------------------------------------------------------------------- analysis
@app.command()
def analyze(home: HomeOpt = None, as_json: JsonOpt = False,
            workers: Annotated[int, typer.Option(help="Processes for the text stage; 0: two from 2,000 pending records.")] = 0) -> None:
    """NLP on what is new or changed."""
    a = load_app(home)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from suqiu.analyze import analyze_pending
    # no auto-refresh thread: the worker pool may then fork (cheaper than spawning workers)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("分析文本", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        stats = analyze_pending(a, workers=workers, progress=progress)
    if as_json:
        emit(stats)
        return
    if not stats["pending"] and not stats["stages"]:
        err.print("没有新的或变更的记录需要分析")
        return
    err.print(f"已分析 {stats['analyzed']} 条（{stats.get('chars_per_s', 0):,} 字/秒，{stats.get('workers', 1)} 个进程）；"
              f"补全区县 {stats.get('district_filled', 0)} 条；"
              f"重复组 {stats.get('dup_groups', 0)} 个，涉及 {stats.get('records_in_dup_groups', 0)} 条")
    masked = stats.get("pii_masked") or {}
    if masked:
        err.print("已遮蔽个人信息: " + "，".join(f"{k} {v}" for k, v in masked.items()))


@app.command()
def topics(home: HomeOpt = None, as_json: JsonOpt = False,
           refit: Annotated[bool, typer.Option(help="Refit the topic model on all demands first.")] = False) -> None:
    """Topics found in the demands."""
    a = load_app(home)
    from suqiu.topics_cli import print_topics, topics_payload
    payload = topics_payload(a, refit=refit)
    emit(payload) if as_json else print_topics(err, payload)


@app.command()
def hotspots(home: HomeOpt = None, as_json: JsonOpt = False,
             top: Annotated[int, typer.Option(help="How many hotspots.")] = 10) -> None:
    """Hotspots (热点问题) ranked by heat."""
    a = load_app(home)
    from suqiu.topics_cli import hotspots_payload, print_hotspots
    try:
        payload = hotspots_payload(a, top)
    except ValueError as exc:
        fail(str(exc))
    emit(payload) if as_json else print_hotspots(err, payload)


@app.command()
def profiles(dimension: Annotated[str, typer.Option(help="district, channel, requester_type, department, business")] = "district",
             week: Annotated[Optional[str], typer.Option(help="ISO week such as 2026-W47; default: the latest.")] = None,
             home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Differentiated demand profiles (需求画像)."""
    a = load_app(home)
    from suqiu.topics_cli import print_profiles, profiles_payload
    try:
        payload = profiles_payload(a, dimension, week)
    except ValueError as exc:
        fail(str(exc))
    emit(payload) if as_json else print_profiles(err, payload)


@train_app.command("router")
def train_router(from_: Annotated[Path, typer.Option("--from", help="Labelled CSV/XLSX.")],
                 text_col: Annotated[str, typer.Option(help="Text column.")] = "text",
                 label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                 home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Train the department routing model."""
    from suqiu.classify_stage import LabelledFileError, train_router_file
    a = load_app(home)
    err.print(f"正在训练分派模型: {from_}")
    try:
        info = train_router_file(a, from_, text_col=text_col, label_col=label_col)
    except LabelledFileError as exc:
        fail(str(exc))
    if as_json:
        emit(info)
        return
    m = info.get("metrics") or {}
    err.print(f"已保存分派模型 {info['version']}（{info['n_docs']} 条样本）: {info['path']}")
    if m:
        err.print(f"留出集 accuracy {m['accuracy']}  macro-F1 {m['macro_f1']}")
    if info.get("labels_not_configured"):
        err.print(f"[yellow]注意[/yellow] 这些标签不是配置中的部门: {', '.join(info['labels_not_configured'])}")


@train_app.command("sentiment")
def train_sentiment(from_: Annotated[Path, typer.Option("--from", help="Labelled CSV/XLSX (1/0 or pos/neg).")],
                    text_col: Annotated[str, typer.Option(help="Text column.")] = "review",
                    label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                    home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Retrain the sentiment model on this installation's own labelled data."""
    from suqiu.classify_stage import LabelledFileError, train_sentiment_file
    a = load_app(home)
    try:
        info = train_sentiment_file(a, from_, text_col=text_col, label_col=label_col)
    except LabelledFileError as exc:
        fail(str(exc))
    if as_json:
        emit(info)
    else:
        err.print(f"已保存情感模型 {info['version']}（{info['n_docs']} 条样本）: {info['path']}")


@eval_app.command("routing")
def eval_routing(train: Annotated[Path, typer.Option(help="Labelled training file.")],
                 test: Annotated[Path, typer.Option(help="Labelled test file.")],
                 text_col: Annotated[str, typer.Option(help="Text column.")] = "text",
                 label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                 home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Evaluate routing: accuracy, macro_f1, per-class F1, docs_per_s."""
    from suqiu.classify_stage import LabelledFileError, eval_routing_files
    a = load_app(home)
    try:
        result = eval_routing_files(a.config, train, test, text_col=text_col, label_col=label_col)
    except LabelledFileError as exc:
        fail(str(exc))
    _print_eval(result, as_json)


@eval_app.command("sentiment")
def eval_sentiment(test: Annotated[Path, typer.Option(help="Labelled test file.")],
                   train: Annotated[Optional[Path], typer.Option(help="Train on this first; default: shipped model.")] = None,
                   text_col: Annotated[str, typer.Option(help="Text column.")] = "review",
                   label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                   home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Evaluate sentiment: accuracy, macro_f1, per-class F1, docs_per_s."""
    from suqiu.classify_stage import LabelledFileError, eval_sentiment_files
    a = load_app(home)
    try:
        result = eval_sentiment_files(test, train=train, text_col=text_col, label_col=label_col, app=a)
    except LabelledFileError as exc:
        fail(str(exc))
    _print_eval(result, as_json)


def _print_eval(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit(result)
        return
    err.print(f"accuracy {result['accuracy']}  macro-F1 {result['macro_f1']}  "
              f"{result['docs_per_s']} 条/秒  训练 {result.get('n_train')} 条  测试 {result['n_test']} 条")
    for label, f1 in result["per_class_f1"].items():
        err.print(f"  {label:12} F1 {f1}")


# --------------------------------------------------------------------------- search
@app.command()
def index(rebuild: Annotated[bool, typer.Option(help="Rebuild into a new index and swap the alias.")] = False,
          home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Bring the search index up to date."""
    a = load_app(home)
    from suqiu.indexing import index_pending
    stats = index_pending(a, rebuild=rebuild)
    if as_json:
        emit(stats.as_dict())
    elif not stats.locked_by:
        err.print(f"索引后端 {stats.backend}{'（重建）' if stats.rebuild else ''}: 待索引 {stats.pending}，"
                  f"已索引 {stats.indexed}，失败 {stats.failed}，待分析 {stats.waiting_analysis}，"
                  f"需求画像 {stats.profiles}，主题 {stats.topics}，移除 {stats.removed}，"
                  f"索引中共 {stats.in_index if stats.in_index is not None else '?'} 条")
        for rid, reason in list(stats.failures.items())[:10]:
            err.print(f"  [yellow]失败[/yellow] {rid}: {reason}")
    if stats.locked_by:
        held = stats.locked_by
        what = "重建索引" if held["owner"].startswith("rebuild") else "索引"
        err.print(f"[red]另一个索引任务正在运行[/red]（{what}，自 {held['acquired_at'].replace('T', ' ')} 起持有索引锁，"
                  f"租约至 {held['expires_at'].replace('T', ' ')}；{escape(held['owner'])}）。"
                  "本次未写入任何内容，待索引的记录已保留，下次运行 `suqiu index` 时补上。")
        raise typer.Exit(1)
    if stats.error:
        err.print(f"[red]搜索引擎不可用[/red] {stats.error}；未索引的记录已保留，下次运行 `suqiu index` 时补上。")
        raise typer.Exit(1)


@app.command()
def search(text: Annotated[str, typer.Argument(help="Words, \"phrases\", -exclusions, OR.")] = "",
           department: Annotated[Optional[str], typer.Option(help="Department.")] = None,
           district: Annotated[Optional[str], typer.Option(help="District.")] = None,
           source: Annotated[Optional[str], typer.Option(help="Source or channel.")] = None,
           from_: Annotated[Optional[str], typer.Option("--from", help="From date (YYYY-MM-DD).")] = None,
           to: Annotated[Optional[str], typer.Option(help="To date (YYYY-MM-DD).")] = None,
           size: Annotated[int, typer.Option(help="Hits per page.")] = 10,
           page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
           sort: Annotated[str, typer.Option(help="relevance, time or heat.")] = "relevance",
           status_: Annotated[Optional[str], typer.Option("--status", help="Status (received, routed, …).")] = None,
           overdue: Annotated[bool, typer.Option(help="Only open demands past their time limit.")] = False,
           kind: Annotated[Optional[list[str]], typer.Option(
               help="What to search: demand (default), profile (需求画像) or topic; repeat for several.")] = None,
           dimension: Annotated[Optional[str], typer.Option(help="Profiles of one dimension (district, channel, …).")] = None,
           week: Annotated[Optional[str], typer.Option(help="Profiles of one ISO week such as 2026-W47.")] = None,
           home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Search demands (or profiles and topics, with --kind) as the petition office."""
    a = load_app(home)
    from search.access import Principal
    from search.backends.base import SearchUnavailable
    from search.query import QueryError, SearchQuery
    from search.service import search as run_search
    from suqiu.model import Source
    by_source = {"source": source} if source in {s.value for s in Source} else {"channel": source}
    try:
        query = SearchQuery.create(text, department=department, district=district, date_from=from_, date_to=to,
                                   status=status_, overdue=True if overdue else None, size=size, page=page,
                                   sort=sort, kind=kind, dimension=dimension, week=week, **by_source)
        result = run_search(a, query, Principal.petition_office(name="cli"))
    except QueryError as exc:
        fail(f"检索条件 {exc.field} 不正确: {exc.reason}")
    except SearchUnavailable as exc:
        fail(f"搜索引擎不可用: {exc}")
    if as_json:
        emit(result.as_dict())
        return
    err.print(f"共 {result.total} 条（第 {result.page} 页）")
    for hit in result.hits:
        f = hit.fields
        text_ = (f.get("title") or f.get("content") or "").replace("\n", " ")[:60]
        if f.get("kind") in ("profile", "topic"):
            err.print(f"{hit.id}  {(f.get('received_at') or '')[:10]}  {int(f.get('heat') or 0)} 件  {text_}",
                      markup=False)
            continue
        err.print(f"{hit.id}  {(f.get('received_at') or '')[:10]}  {f.get('district') or '-'}  "
                  f"{f.get('department') or '未分派'}  {f.get('status')}  {text_}", markup=False)


# --------------------------------------------------------------------------- two-way loop and reports
@app.command()
def digest(department: Annotated[str, typer.Option(help="Department name.")],
           period: Annotated[str, typer.Option(help="day or week")] = "day",
           home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Render and deliver one department's digest (--department all: every department)."""
    a = load_app(home)
    from suqiu.digests import DigestError, deliver_digest
    names = [d.name for d in a.config.departments] if department == "all" else [department]
    results = []
    for name in names:
        try:
            results.append(deliver_digest(a, name, period))
        except DigestError as exc:
            fail(str(exc))
    if as_json:
        emit(results[0] if len(results) == 1 and department != "all" else {"deliveries": results})
        return
    labels = {"sent": "已发送", "failed": "发送失败，稍后重试", "outbox": "已写入发件箱"}
    for r in results:
        err.print(f"{r['department']}: 新诉求 {r['items']} 件（{r['submissions']} 次反映），紧急 {r['urgent']} 件，"
                  f"超期 {r['overdue']} 件 — {labels.get(r['status'], r['status'])}")
        err.print(f"  {r['html']}")
        if r["error"]:
            err.print(f"  [yellow]{r['error']}[/yellow]")
    if any(r["status"] == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def route(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Route analysed demands to departments or to the manual triage queue."""
    a = load_app(home)
    from suqiu.routing import route_pending
    stats = route_pending(a).as_dict()
    if as_json:
        emit(stats)
        return
    err.print(f"已分派 {stats['routed']} 件，转人工分派 {stats['triage']} 件，仍待人工 {stats['unchanged']} 件")
    for name, n in stats["by_department"].items():
        err.print(f"  {name}: {n}")


@app.command()
def reassign(record_id: Annotated[str, typer.Argument(help="Record id (source:source_id).")],
             department: Annotated[str, typer.Option(help="New department (name or alias).")],
             reason: Annotated[str, typer.Option(help="Why (kept in the record's history).")],
             actor: Annotated[str, typer.Option(help="Who reassigns.")] = "信访办",
             home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Move a demand to another department (petition office); it goes into that department's next digest."""
    a = load_app(home)
    from suqiu.routing import RoutingError
    from suqiu.routing import reassign as do_reassign
    try:
        out = do_reassign(a, record_id, department, reason, actor)
    except RoutingError as exc:
        fail(str(exc))
    if as_json:
        emit(out)
        return
    err.print(f"{record_id}: {out['from'] or '待人工分派'} → {out['to']}（{reason}）")


@app.command()
def deliveries(retry: Annotated[bool, typer.Option(help="Send pending and failed deliveries now.")] = False,
               department: Annotated[Optional[str], typer.Option(help="Only this department.")] = None,
               home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Digest deliveries and their status; --retry re-sends the ones not yet delivered."""
    a = load_app(home)
    from suqiu.delivery import list_deliveries, retry_due
    dept = a.config.department(department).name if department and a.config.department(department) else department
    retried = retry_due(a, department=dept, force=True) if retry else []
    rows = list_deliveries(a, dept)
    if as_json:
        emit({"retried": retried, "deliveries": rows})
        return
    for r in rows:
        err.print(f"#{r['id']} {r['created_at']:%Y-%m-%d %H:%M} {r['department']} {r['period']} {r['status']} "
                  f"尝试 {r['attempts']} 次 {r['last_error'] or ''}")
    if any(r["status"] == "failed" for r in retried):
        raise typer.Exit(1)


@app.command()
def figures(department: Annotated[Optional[str], typer.Option(help="Only this department.")] = None,
            home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Reply figures per department: response time, closure, on-time, satisfaction, reopen, reply quality."""
    a = load_app(home)
    from suqiu.tracking import RANKABLE_METRICS, department_figures, rank_departments
    dept = None
    if department:
        found = a.config.department(department)
        if found is None:
            fail(f"未知部门: {department}")
        dept = found.name
    figs = department_figures(a.store, a.config, dept)
    payload = {"departments": {k: v.as_dict() for k, v in figs.items()}, "min_count": a.config.tracking.min_count,
               "rankings": {m: rank_departments(figs, m, a.config.tracking.min_count) for m in RANKABLE_METRICS}}
    if as_json:
        emit(payload)
        return
    for f in figs.values():
        hours = "—" if f.response_hours_median is None else f"{f.response_hours_median:.0f}h"
        err.print(f"{f.department}: 分派 {f.assigned} 已答复 {f.answered} 超期 {f.overdue} 答复时长中位 {hours} "
                  f"办结率 {_pct(f.closure_rate)} 满意率 {_pct(f.satisfaction_rate)} 重办率 {_pct(f.reopen_rate)}"
                  + ("" if f.rankable else "（件数不足，不排名）"))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@token_app.command("add")
def token_add(department: Annotated[Optional[str], typer.Argument(help="Department (omit with --role office/client).")] = None,
              label: Annotated[Optional[str], typer.Option(help="Who holds it.")] = None,
              role: Annotated[str, typer.Option(help="department, office or client (Open311 apps).")] = "department",
              home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Make an API token; it is printed once and only its hash is kept."""
    a = load_app(home)
    from suqiu.tokens import TokenError, create_token
    try:
        tid, token = create_token(a, department, label, role)
    except TokenError as exc:
        fail(str(exc))
    if as_json:
        emit({"id": tid, "token": token, "role": role, "department": a.config.department(department).name
              if department and a.config.department(department) else None})
        return
    err.print("令牌只显示这一次，请妥善保存：")
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """API tokens (hash prefixes only)."""
    a = load_app(home)
    from suqiu.tokens import list_tokens
    rows = list_tokens(a)
    if as_json:
        emit(rows)
        return
    for r in rows:
        state = "已吊销" if r["revoked_at"] else "有效"
        err.print(f"#{r['id']} {r['prefix']}… {r['role']} {r['department'] or ''} {r['label'] or ''} {state}")


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id from `suqiu token list`.")],
                 home: HomeOpt = None) -> None:
    """Revoke an API token."""
    a = load_app(home)
    from suqiu.tokens import revoke_token
    if not revoke_token(a, token_id):
        fail(f"令牌 #{token_id} 不存在或已吊销")
    err.print(f"令牌 #{token_id} 已吊销")


@report_app.command("weekly")
def report_weekly(week: Annotated[Optional[str], typer.Option(help="ISO week such as 2026-W47.")] = None,
                  out: Annotated[Optional[Path], typer.Option(help="Output directory.")] = None,
                  home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """The weekly demand report (HTML, DOCX, XLSX)."""
    from reports.period import Week, last_complete_week
    from suqiu.store import now_local
    from suqiu.weekly_data import write_weekly_report
    a = load_app(home)
    try:
        w = Week.parse(week) if week else last_complete_week(now_local())
    except ValueError as exc:
        fail(str(exc))
    with err.status(f"正在生成 {w} 周报…"):
        paths = write_weekly_report(a, w, out)
    if as_json:
        emit({"week": str(w), "files": paths})
    else:
        for kind, path in paths.items():
            err.print(f"{kind:5} {path}")


@app.command()
def serve(host: Annotated[Optional[str], typer.Option(help="Bind address (default from config: 127.0.0.1).")] = None,
          port: Annotated[Optional[int], typer.Option(help="Port (default from config: 8080).")] = None,
          home: HomeOpt = None) -> None:
    """The web interface, the department API and the Open311 endpoints."""
    a = load_app(home)
    from suqiu.web.serve import run_server
    bind_host = host or a.config.server.host
    bind_port = port or a.config.server.port
    err.print(f"诉求分析平台: http://{bind_host}:{bind_port}/  (Ctrl+C 停止)")
    run_server(a, bind_host, bind_port)


@app.command()
def run(home: HomeOpt = None, as_json: JsonOpt = False,
        file: Annotated[Optional[list[Path]], typer.Option("--file", help="Export to import (repeatable).")] = None,
        source: Annotated[Optional[list[str]], typer.Option("--source", help="Source to crawl (repeatable); default: all enabled.")] = None,
        profile: Annotated[Optional[str], typer.Option(help="Import profile for --file.")] = None,
        workers: Annotated[int, typer.Option(help="Processes for the text stage; 0: two from 2,000 pending records.")] = 0,
        period: Annotated[str, typer.Option(help="Digest period: day or week.")] = "day",
        week: Annotated[Optional[str], typer.Option(help="Report week; default: the last complete week.")] = None) -> None:
    """The whole pipeline once, as the Prefect `pipeline` flow."""
    a = load_app(home)
    from suqiu.prefect_env import prepare_prefect
    prepare_prefect(a)
    from flows.pipeline import pipeline
    result = pipeline(home=str(a.home), sources=source or None, files=[str(f) for f in file or []],
                      profile=profile, workers=workers, period=period, report_week=week)
    if as_json:
        emit(result)
        return
    _print_pipeline(result)


def _print_pipeline(result: dict[str, Any]) -> None:
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
    for dept, d in ro.get("digests", {}).items():
        err.print(f"  部门摘要 {dept}: {d.get('items', 0)} 项，{d.get('status')} → {d.get('html')}")
    for kind, path in (result.get("report") or {}).items():
        err.print(f"周报 {kind}: {path}")


@app.command()
def demo(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Make sample data, serve the fixture sites, run everything, print where outputs are."""
    from suqiu.config import home_dir
    from suqiu.demo import run_demo
    h = home_dir(home)
    err.print(f"[bold]suqiu 演示[/bold]：安装目录 {h}")
    result = run_demo(h, say=lambda m: err.print(f"• {m}"))
    if as_json:
        emit(result)
        return
    _print_pipeline(result)
    err.print("[bold]示例检索（信访办视角）[/bold]")
    for q, r in result["searches"].items():
        err.print(f"  {q!r}: {r['total']} 条，例如 {'；'.join(t for t in r['top'] if t)}")
    p = result["paths"]
    err.print(f"[bold]输出位置[/bold]\n  数据库 {p['store']}\n  示例数据 {p['sample']}\n  部门摘要发件箱 {p['outbox']}")
    for kind, path in p["reports"].items():
        err.print(f"  周报 {kind} {path}")
    err.print(f"  网页：SUQIU_HOME={p['home']} .venv/bin/suqiu serve  →  http://127.0.0.1:8080/")
    err.print(f"用时 {result['elapsed_s']} 秒")


# --------------------------------------------------------------------------- web users
def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@user_app.command("add")
def user_add(username: Annotated[str, typer.Argument(help="Login name.")],
             role: Annotated[str, typer.Option(help="petition_office | department | public")] = "petition_office",
             department: Annotated[Optional[str], typer.Option(help="Department name (role=department).")] = None,
             display_name: Annotated[Optional[str], typer.Option(help="Name shown on pages.")] = None,
             password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
             replace: Annotated[bool, typer.Option(help="Overwrite an existing user.")] = False,
             home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Add a web user; the password is stored as a salted scrypt hash."""
    a = load_app(home)
    from suqiu.web.auth import AuthError, add_user
    try:
        user = add_user(a.store, username, _read_password(password_stdin), role, department, display_name,
                        config=a.config, replace=replace)
    except AuthError as exc:
        fail(str(exc))
    if as_json:
        emit({"username": user.username, "role": user.role, "department": user.department})
    else:
        err.print(f"已添加用户 {user.username}（{user.role_label}）")


@user_app.command("list")
def user_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List web users (never their password hashes)."""
    a = load_app(home)
    from suqiu.web.auth import list_users
    users = [{"username": u.username, "role": u.role, "department": u.department,
              "display_name": u.display_name, "active": u.active} for u in list_users(a.store)]
    if as_json:
        emit({"users": users})
        return
    for u in users:
        err.print(f"{u['username']:20} {u['role']:16} {u['department'] or '':14} {'启用' if u['active'] else '停用'}")


@user_app.command("passwd")
def user_passwd(username: Annotated[str, typer.Argument(help="Login name.")],
                password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
                home: HomeOpt = None) -> None:
    """Set a user's password; the user's open sessions end."""
    a = load_app(home)
    from suqiu.web.auth import AuthError, set_password
    try:
        set_password(a.store, username, _read_password(password_stdin))
    except AuthError as exc:
        fail(str(exc))
    err.print(f"已更新用户 {username} 的密码")


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument(help="Login name.")],
                 enable: Annotated[bool, typer.Option("--enable", help="Re-enable instead.")] = False,
                 home: HomeOpt = None) -> None:
    """Disable (or re-enable) a user; a disabled user's sessions end at once."""
    a = load_app(home)
    from suqiu.web.auth import AuthError, set_active
    try:
        set_active(a.store, username, enable)
    except AuthError as exc:
        fail(str(exc))
    err.print(f"已{'启用' if enable else '停用'}用户 {username}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
