"""Import and analysis at scale on SQLite beside PostgreSQL: the same synthetic demands into a fresh
store on each engine.

    .venv/bin/python bench/bench_engines.py [--n 100000] [--analyze-n N] [--pg-url URL]

Demands: ``crawlers.synthetic.generate(n, seed=5)`` (hotline, portal, reviews, Open311; about 6%
resubmissions). Per engine it prints
  1. import: ``Store.upsert`` in batches of 500, as the importers and crawlers call it;
  2. re-import of the same demands (all unchanged: the idempotent path);
  3. analyze: the text and classify stages, one process (``run_stages``), on the first
     ``--analyze-n`` records (default: all); topics and views are left out (one model fit over the
     whole corpus, the same work on either engine).
PostgreSQL: a fresh database on the server of ``--pg-url`` (default ``SUQIU_TEST_PG_URL``, what
``make test`` provisions), dropped afterwards; skipped with a message when there is none. The load
average is printed: the machine is shared, figures move with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawlers.synthetic import generate  # noqa: E402
from crawlers.synthetic.generator import strip_truth  # noqa: E402
from nlp.stages import ClassifyStage, TextStage, run_stages  # noqa: E402
from suqiu.installation import Installation, write_default_config  # noqa: E402
from suqiu.model import RecordError, build_demand  # noqa: E402


def demands(n: int, seed: int = 5) -> list:
    out = []
    for item in generate(n, seed=seed, bad_rate=0.0):
        try:
            out.append(build_demand(strip_truth(item)))
        except RecordError:
            pass
    return out


@contextmanager
def pg_database(base_url: str):
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool
    name = f"suqiu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_engine(label: str, url: str, items: list, analyze_n: int) -> None:
    home = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    write_default_config(home)
    os.environ["SUQIU_STORE_URL"] = url
    inst = Installation.load(home)
    stats, s = timed(lambda: inst.store.upsert(items, batch=500))
    print(f"{label:10} import    {len(items):7d} records  {s:7.1f} s  {len(items) / s:8.0f} records/s  "
          f"(new {stats.new})", flush=True)
    stats, s = timed(lambda: inst.store.upsert(items, batch=500))
    print(f"{label:10} re-import {len(items):7d} records  {s:7.1f} s  {len(items) / s:8.0f} records/s  "
          f"(unchanged {stats.unchanged})", flush=True)
    if analyze_n < len(items):  # only the first analyze_n stay pending
        keep = {d.id for d in items[:analyze_n]}
        others = [r for r in inst.store.pending("analyze") if r not in keep]
        inst.store.mark_done("analyze", inst.store.text_hashes(others))
    result, s = timed(lambda: run_stages(inst, [TextStage(workers=1), ClassifyStage()]))
    n = result["analyzed"]
    print(f"{label:10} analyze   {n:7d} records  {s:7.1f} s  {n / s:8.0f} records/s  "
          f"(text {result['seconds']} s, classify {result['stages']['classify']['seconds']} s)", flush=True)
    inst.store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--analyze-n", type=int, default=None)
    parser.add_argument("--pg-url", default=os.environ.get("SUQIU_TEST_PG_URL"))
    args = parser.parse_args()
    items, s = timed(lambda: demands(args.n))
    print(f"{len(items)} synthetic demands generated in {s:.1f} s; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores", flush=True)
    analyze_n = args.analyze_n or len(items)
    with tempfile.TemporaryDirectory() as tmp:
        run_engine("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", items, analyze_n)
    if not args.pg_url:
        print("postgresql skipped: no server (set SUQIU_TEST_PG_URL or --pg-url; `make test` provisions one)")
    else:
        with pg_database(args.pg_url) as url:
            run_engine("postgresql", url, items, analyze_n)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
