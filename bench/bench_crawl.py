"""Crawl rate against the local fixture site: pages/s per source, and what each run stored.

Usage: .venv/bin/python bench/bench_crawl.py [--board 300] [--runs 2]
Prints one line per source and run, then a JSON summary. Crawls run as `suqiu crawl` does: one
child process each, with the shipped profiles (download_delay 0 for the fixture site, AutoThrottle
on, one request at a time per domain, robots.txt obeyed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawlers.fixture_site import serve_fixture_site  # noqa: E402
from crawlers.run import crawl_in_subprocess  # noqa: E402
from suqiu.installation import write_default_config  # noqa: E402

SOURCES = ("portal", "portal_gbk", "reviews", "open311")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--board", type=int, default=300, help="posts on the UTF-8 board")
    parser.add_argument("--runs", type=int, default=2, help="crawls per source (the 2nd is incremental)")
    parser.add_argument("--slow", type=float, default=1.0, help="seconds the slow page takes")
    args = parser.parse_args()
    summary: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp, serve_fixture_site(
            slow_s=args.slow, n_board=args.board, n_gbk=args.board // 3, n_reviews=args.board // 2,
            n_open311=args.board // 2) as site:
        home = Path(tmp) / "home"
        write_default_config(home)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU_")}
        env["SUQIU__FIXTURE_SITE__PORT"] = str(site.port)
        for source in SOURCES:
            for run in range(1, args.runs + 1):
                t0 = time.perf_counter()
                s = crawl_in_subprocess(home, source, env=env)
                wall = time.perf_counter() - t0
                row = {k: s[k] for k in ("pages", "items", "new", "updated", "unchanged", "quarantined",
                                         "quarantined_new", "errors", "retries", "elapsed_s", "pages_per_s")}
                row["wall_s_with_process"] = round(wall, 2)
                summary.setdefault(source, []).append(row)
                print(f"{source:10} run {run}: {s['pages']:4d} pages in {s['elapsed_s']:6.2f} s = "
                      f"{s['pages_per_s']:6.2f} pages/s (wall incl. child process {wall:5.2f} s); "
                      f"items {s['items']}, new {s['new']}, updated {s['updated']}, "
                      f"quarantined {s['quarantined']} ({s['quarantined_new']} new), errors {s['errors']}")
    first = [runs[0] for runs in summary.values()]
    pages = sum(r["pages"] for r in first)
    secs = sum(r["elapsed_s"] for r in first)
    print(f"first crawls overall: {pages} pages in {secs:.2f} s = {pages / secs:.2f} pages/s (cpu count {os.cpu_count()})")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
