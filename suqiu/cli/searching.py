"""Search commands: bring the index up to date, search as the petition office."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from suqiu.cli.choices import Dimension, Kind, Sort
from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load
from suqiu.model import Source
from suqiu.principals import Principal


def index(rebuild: Annotated[bool, typer.Option(help="Rebuild into a new index and swap the alias.")] = False,
          home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Bring the search index up to date."""
    from search.indexing import index_pending
    stats = index_pending(load(home), rebuild=rebuild)
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


def search(text: Annotated[str, typer.Argument(help="Words, \"phrases\", -exclusions, OR.")] = "",
           department: Annotated[Optional[str], typer.Option(help="Department.")] = None,
           district: Annotated[Optional[str], typer.Option(help="District.")] = None,
           source: Annotated[Optional[str], typer.Option(help="Source or channel.")] = None,
           from_: Annotated[Optional[str], typer.Option("--from", help="From date (YYYY-MM-DD).")] = None,
           to: Annotated[Optional[str], typer.Option(help="To date (YYYY-MM-DD).")] = None,
           size: Annotated[int, typer.Option(help="Hits per page.")] = 10,
           page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
           sort: Annotated[Sort, typer.Option(help="Order of hits.")] = Sort.RELEVANCE,
           status_: Annotated[Optional[str], typer.Option("--status", help="Status (received, routed, …).")] = None,
           overdue: Annotated[bool, typer.Option(help="Only open demands past their time limit.")] = False,
           kind: Annotated[Optional[list[Kind]], typer.Option(
               help="What to search (repeat for several); demands by default.")] = None,
           dimension: Annotated[Optional[Dimension], typer.Option(help="Profiles of one dimension.")] = None,
           week: Annotated[Optional[str], typer.Option(help="Profiles of one ISO week such as 2026-W47.")] = None,
           bbox: Annotated[Optional[str], typer.Option(help="Demands located in min_lon,min_lat,max_lon,max_lat.")] = None,
           home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Search demands (or profiles and topics, with --kind) as the petition office."""
    from search.backends.base import SearchUnavailable
    from search.query import QueryError, SearchQuery
    from search.service import search as run_search
    inst = load(home)
    by_source = {"source": source} if source in {s.value for s in Source} else {"channel": source}
    try:
        query = SearchQuery.create(text, department=department, district=district, date_from=from_, date_to=to,
                                   status=status_, overdue=True if overdue else None, size=size, page=page,
                                   sort=sort.value, kind=[k.value for k in kind] if kind else None,
                                   dimension=dimension.value if dimension else None, week=week, bbox=bbox,
                                   **by_source)
        result = run_search(inst, query, Principal.office(name="cli"))
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


def register(app: typer.Typer) -> None:
    app.command()(index)
    app.command()(search)
