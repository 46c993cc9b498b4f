"""Running one configured crawl: in this process (the subprocess entry) or in a child process.

Scrapy's Twisted reactor cannot be restarted inside one process, so everything that crawls more
than once per process (the CLI, flows, tests, the demo) calls ``crawl_in_subprocess``, which runs
``python -m crawlers.run SOURCE`` and reads its stats, one JSON document, from stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from crawlers.sources import SPIDERS, CrawlError, find_source, source_settings
from suqiu.config import ConfigError, SourceConfig
from suqiu.installation import Installation
from suqiu.logs import configure_logging

__all__ = ["SPIDERS", "CrawlError", "crawl_in_subprocess", "crawl_sources", "describe_stats", "find_source",
           "run_here"]


def crawl_settings(store_url: str, source: SourceConfig, jobdir: Path | None = None,
                   log_level: str | None = None) -> dict[str, Any]:
    """Project settings plus what this source and run change."""
    from scrapy.settings import Settings
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    overrides = source_settings(store_url, source)
    if jobdir is not None:
        overrides["JOBDIR"] = str(jobdir)
    if log_level:
        overrides["LOG_LEVEL"] = log_level
    settings.setdict(overrides, priority="cmdline")
    return settings  # type: ignore[return-value]


def run_here(home: str | os.PathLike[str] | None, source_name: str, resume: bool = False,
             full: bool = False, log_level: str | None = None) -> dict[str, Any]:
    """Run one crawl in this process (once per process) and return its stats."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.misc import load_object

    app = Installation.load(home)
    source = find_source(app.config, source_name)
    if not source.enabled:
        raise CrawlError(f"数据源 '{source_name}' 已停用 (enabled = false)")
    jobdir = app.path("crawl-jobs", mkdir=False) / source.name if resume else None
    settings = crawl_settings(app.store_url, source, jobdir, log_level)
    app.store  # creates the schema before the pipelines open their connections
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(load_object(SPIDERS[source.kind]))
    # the spider reads its start URL and profile from the installation, as `scrapy crawl` does
    process.crawl(crawler, source=source.name, home=str(app.home), full=full or source.full)
    process.start()
    stats = dict(crawler.stats.get_value("suqiu/run_stats") or {})
    reason = crawler.stats.get_value("finish_reason")
    stats["finish_reason"] = reason
    if jobdir is not None and reason == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)  # done: the next run starts fresh, not from this queue
    return stats


def crawl_in_subprocess(home: str | os.PathLike[str] | None, source_name: str, resume: bool = False,
                        full: bool = False, timeout: float | None = None,
                        env: dict[str, str] | None = None, log_level: str | None = None) -> dict[str, Any]:
    """Run ``python -m crawlers.run`` in a child process and return the stats it printed."""
    cmd = [sys.executable, "-m", "crawlers.run", source_name]
    if home is not None:
        cmd += ["--home", str(home)]
    if resume:
        cmd.append("--resume")
    if full:
        cmd.append("--full")
    if log_level:
        cmd += ["--log-level", log_level]
    child_env = dict(os.environ if env is None else env)
    root = str(Path(__file__).resolve().parents[1])
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, child_env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=child_env)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else None
    except ValueError:
        result = None
    if isinstance(result, dict) and "error" in result:
        raise CrawlError(result["error"])
    if proc.returncode != 0 or not isinstance(result, dict):
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise CrawlError(f"抓取 '{source_name}' 失败 (退出码 {proc.returncode}):\n{tail}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one configured suqiu crawl; prints its stats as JSON.")
    parser.add_argument("source")
    parser.add_argument("--home", default=None)
    parser.add_argument("--resume", action="store_true", help="Keep the request queue in a JOBDIR.")
    parser.add_argument("--full", action="store_true", help="Ignore stored ids; crawl everything.")
    parser.add_argument("--log-level", default=None)
    args = parser.parse_args(argv)
    configure_logging()   # the application's lines on stderr (JSON with SUQIU_LOG_FORMAT=json); stdout is the stats
    try:
        stats = run_here(args.home, args.source, resume=args.resume, full=args.full, log_level=args.log_level)
    except (CrawlError, ConfigError) as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    print(json.dumps(stats, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def crawl_sources(app: Any, name: str, resume: bool = False, full: bool = False) -> dict[str, dict[str, Any]]:
    """Crawl one source, or every enabled one for ``all``; a failing source does not stop the others."""
    names = [s.name for s in app.config.sources if s.enabled] if name == "all" else [name]
    if name != "all":
        find_source(app.config, name)
    results: dict[str, dict[str, Any]] = {}
    for n in names:
        try:
            results[n] = crawl_in_subprocess(app.home, n, resume=resume, full=full)
        except CrawlError as exc:
            if name != "all":
                raise
            results[n] = {"source": n, "error": str(exc)}
    return results


def describe_stats(results: dict[str, dict[str, Any]]) -> list[str]:
    """One line per source for people (Chinese)."""
    lines = []
    for n, s in results.items():
        if s.get("error"):
            lines.append(f"{n}: 失败 — {s['error']}")
            continue
        lines.append(
            f"{n}: 页面 {s.get('pages', 0)}，条目 {s.get('items', 0)}，新增 {s.get('new', 0)}，更新 {s.get('updated', 0)}，"
            f"未变 {s.get('unchanged', 0)}，隔离 {s.get('quarantined', 0)}，错误 {s.get('errors', 0)}，"
            f"{s.get('pages_per_s', 0)} 页/秒（运行 {s.get('run_id')}）")
    return lines
