"""Ingestion commands: crawl a configured source, import an export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from crawlers.importers.import_profiles import NoProfileMatch
from crawlers.importers.quality import describe as describe_quality
from crawlers.importers.readers import ImportFileError
from crawlers.importers.run import import_file
from crawlers.run import CrawlError, crawl_sources, describe_stats
from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load


def crawl(source: Annotated[str, typer.Argument(help="Configured source name (portal, reviews, open311, …) or 'all'.")],
          home: HomeOpt = None, as_json: JsonOpt = False,
          resume: Annotated[bool, typer.Option(help="Keep the request queue (JOBDIR) so an interrupted crawl resumes.")] = False,
          full: Annotated[bool, typer.Option(help="Ignore what is already stored and crawl everything.")] = False) -> None:
    """Run one configured crawler (in a child process: Scrapy's reactor cannot restart)."""
    inst = load(home)
    try:
        results = crawl_sources(inst, source, resume=resume, full=full)
    except CrawlError as exc:
        fail(str(exc))
    if as_json:
        emit(results[source] if source != "all" else {"sources": results})
    else:
        for line in describe_stats(results):
            err.print(line)
    if any(r.get("error") for r in results.values()):
        raise typer.Exit(1)


def import_(file: Annotated[Path, typer.Argument(exists=False)],
            profile: Annotated[Optional[str], typer.Option(help="Import profile name; default: by headers.")] = None,
            home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Import a hotline or message-board export (CSV, XLSX or legacy XLS)."""
    from nlp.pii import PiiMasker
    inst = load(home)
    try:
        stats = import_file(inst.store, inst.config, file, profile, notify=lambda m: err.print(m, markup=False),
                            mask=PiiMasker())
    except (ImportFileError, NoProfileMatch) as exc:
        fail(escape(str(exc)))
    except OSError as exc:  # unreadable file, full disk: the run is recorded as failed with it
        fail(escape(f"导入 {file} 失败：{exc.strerror or exc}"))
    result = stats.as_dict()
    if as_json:
        emit(result)
        return
    err.print(f"读取 {result['rows_read']} 行：新增 {result['new']}，更新 {result['updated']}，"
              f"未变 {result['unchanged']}，隔离 {result['quarantined']}（用时 {result['seconds']:.1f} 秒）",
              markup=False)
    for line in describe_quality(result["quality"]):   # by reason, with masked examples
        err.print(line, markup=False)
    if result["quarantined"]:
        err.print(f"  查看与更正：suqiu quarantine list --run {result['run_id']}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(crawl)
    app.command("import")(import_)
