"""Ingest flow: crawl the configured sources and import exports, then (by default) analyze, route,
alert critical demands and index — every hour, so a 轻生风险 demand that arrives at 09:00 reaches its
department (and the office) in the same run, not in the next morning's digest.

The sources are independent, so their crawls run at the same time (mapped tasks, each a child
process) and the exports are imported beside them; a source that fails is reported with its error
while the others land. Crawls retry: they are network I/O against other people's servers.
Imports do not: a bad file does not get better by reading it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.futures import PrefectFuture

from flows.analyze import analyze
from flows.index import index
from flows.route import route_pending_task, send_alerts_task

from crawlers.importers.run import import_file
from crawlers.run import crawl_in_subprocess
from nlp.pii import PiiMasker
from suqiu.installation import Installation


@task(name="crawl-source", task_run_name="crawl-{source}", retries=2, retry_delay_seconds=30)
def crawl_source(home: str | None, source: str) -> dict[str, Any]:
    return crawl_in_subprocess(Installation.load(home).home, source)


@task(name="import-file")
def import_export(home: str | None, path: str, profile: str | None = None) -> dict[str, Any]:
    app = Installation.load(home)
    return import_file(app.store, app.config, Path(path), profile, mask=PiiMasker()).as_dict()


@task(name="enabled-sources")
def enabled_sources(home: str | None) -> list[str]:
    return [s.name for s in Installation.load(home).config.sources if s.enabled]


def outcome(future: PrefectFuture[dict[str, Any]], what: dict[str, Any]) -> dict[str, Any]:
    """A finished task's result, or what failed and why (the others are not held back)."""
    future.wait()
    if future.state.is_completed():
        return future.result()
    try:
        future.result()
    except Exception as exc:
        return {**what, "error": f"{type(exc).__name__}: {exc}"}
    return {**what, "error": future.state.message or future.state.name}


@flow(name="ingest")
def ingest(home: str | None = None, sources: list[str] | None = None, files: list[str] | None = None,
           profile: str | None = None, analyze_after: bool = True, crawl_retries: int = 2,
           route_after: bool = True) -> dict[str, Any]:
    """Bring in new demands; ``sources=None`` crawls every enabled source, ``[]`` none. After analysis
    the new demands are routed and critical ones alerted (``route_after``), then indexed."""
    log = get_run_logger()
    names = enabled_sources(home) if sources is None else list(sources)
    crawls = crawl_source.with_options(retries=crawl_retries).map(unmapped(home), names) if names else []
    imports = [import_export.submit(home, path, profile) for path in files or []]
    result: dict[str, Any] = {"crawl": {}, "import": {}}
    for name, future in zip(names, crawls):
        result["crawl"][name] = s = outcome(future, {"source": name})
        if s.get("error"):
            log.error("crawl %s failed: %s", name, s["error"])
        else:
            log.info("crawl %s: %s", name, {k: s.get(k) for k in ("pages", "items", "new", "updated", "quarantined")})
    for path, future in zip(files or [], imports):
        result["import"][path] = s = outcome(future, {"file": Path(path).name})
        log.info("import %s: %s", path, {k: s.get(k) for k in ("rows_read", "new", "updated", "unchanged",
                                                              "quarantined", "error")})
    if analyze_after:
        result["analyze"] = analyze(home=home)
        if route_after:
            result["route"] = route_pending_task(home)
            result["alerts"] = send_alerts_task(home)
            log.info("route: %s; alerts: %s", result["route"], {k: result["alerts"][k] for k in ("departments", "office")})
        result["index"] = index(home=home)
    return result
