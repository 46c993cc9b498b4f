"""A city's whole history on this machine: every stage at 10 k, 100 k and 1 M records.

    .venv/bin/python bench/bench_scale.py --n 10000,100000,1000000 [--backends embedded,elasticsearch]
        [--work data/bench-scale] [--out bench-scale.json] [--seed 1] [--incremental 3000] [--days 2]

For each size, a fresh installation imports a realistic corpus (``crawlers.corpus``: recombined
Teddy Cup sentences where ../shared/datasets is present, the project's grammar otherwise), then
runs import → text → classify → topics → views → route → index (each backend) → weekly report →
digests, each step in its own child process so its wall time and peak RSS are its own. After the
pipeline, ``--days`` incremental days (``--incremental`` new records each: import, analyze, route,
index) run on the full store. The first day's views also redo every week the pipeline's routing
touched (the pipeline builds the views before it routes, as ``suqiu run`` does), so the second day
is the one a city sees every day. Search latency (facets and highlights, office principal) is sampled on each
backend. Counts at the end show nothing lost or duplicated. Prints a Markdown table; writes JSON.
Elasticsearch: ``SUQIU_BENCH_ES_URL`` (default http://127.0.0.1:9200), a fresh index prefix per run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEDDY = ROOT.parent / "shared" / "datasets" / "teddy2020c"
PIPELINE = ("import", "text", "classify", "topics", "views", "route")
QUERIES = ("噪音 扰民", "拖欠工资", "停车 OR 占道 -咨询", "电梯", "垃圾 清运", "学校", "公交", "物业 维修", "供暖",
           "污水", "施工", "医保", "违建", "外卖", "油烟")


# ----------------------------------------------------------------------------- steps (child side)
def _inst(home: str) -> Any:
    from suqiu.installation import Installation
    return Installation.load(home)


def step_import(home: str, csv_path: str) -> dict[str, Any]:
    from crawlers.importers.run import import_file
    inst = _inst(home)
    stats = import_file(inst.store, inst.config, Path(csv_path), "12345-workorder").as_dict()
    return {k: stats[k] for k in ("rows_read", "new", "updated", "unchanged", "quarantined")}


def step_stage(home: str, name: str) -> dict[str, Any]:
    from nlp.stages import stage_named
    inst = _inst(home)
    stats = stage_named(name, workers=0).run(inst).as_dict()
    return {k: v for k, v in stats.items() if not isinstance(v, dict)}


def step_route(home: str) -> dict[str, Any]:
    from suqiu.twoway.dispatch import route_pending
    out = route_pending(_inst(home)).as_dict()
    return {k: out[k] for k in ("routed", "triage", "unchanged")}


def step_index(home: str) -> dict[str, Any]:
    from search.indexing import index_pending
    out = index_pending(_inst(home)).as_dict()
    return {k: out[k] for k in ("backend", "pending", "indexed", "failed", "profiles", "topics", "in_index", "error")}


def step_report(home: str) -> dict[str, Any]:
    """The weekly report of the corpus's last complete week."""
    from datetime import timedelta

    from crawlers.corpus.options import CorpusOptions
    from reports.collect import write_weekly_report
    from suqiu.weeks import Week
    opts = CorpusOptions()
    week = Week.of(opts.start + timedelta(days=opts.days - 1)).shift(-1)
    return {"week": str(week), **write_weekly_report(_inst(home), week, Path(home) / "report")}


def step_digests(home: str) -> dict[str, Any]:
    from reports.digests import deliver_digest
    inst = _inst(home)
    out = [deliver_digest(inst, d.name, "week") for d in inst.config.departments]
    return {"digests": len(out), "items": sum(d["items"] for d in out)}


def step_search(home: str, samples: int = 200) -> dict[str, Any]:
    from search.query import SearchQuery
    from search.service import search
    from suqiu.principals import Principal
    inst = _inst(home)
    who = Principal.office(name="bench")
    search(inst, SearchQuery.create("投诉"), who)  # warm: segmenter, connections
    times, rng = [], random.Random(0)
    for _ in range(samples):
        q = SearchQuery.create(rng.choice(QUERIES), size=10, page=rng.choice((1, 1, 2)))
        t0 = time.perf_counter()
        search(inst, q, who)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": round(times[len(times) // 2], 1), "p95_ms": round(times[int(len(times) * 0.95)], 1),
            "max_ms": round(times[-1], 1)}


def step_counts(home: str) -> dict[str, Any]:
    s = _inst(home).store.status()
    return {"records": s["records"]["total"], "analyzed": s["analyzed"], "indexed": s["indexed"],
            "routed": s["routed"], "triage": s["triage"], "quarantined": s["quarantined"],
            "stages": s["stages"]}


STEPS = {
    "import": lambda a: step_import(a.home, a.csv),
    "text": lambda a: step_stage(a.home, "analyze"),
    "classify": lambda a: step_stage(a.home, "classify"),
    "topics": lambda a: step_stage(a.home, "topics"),
    "views": lambda a: step_stage(a.home, "views"),
    "route": lambda a: step_route(a.home),
    "index": lambda a: step_index(a.home),
    "report": lambda a: step_report(a.home),
    "digests": lambda a: step_digests(a.home),
    "search": lambda a: step_search(a.home),
    "counts": lambda a: step_counts(a.home),
}


# ----------------------------------------------------------------------------- parent side
def run_step(step: str, home: Path, env: dict[str, str], csv: Path | None = None) -> dict[str, Any]:
    """One step in a child process: its output, wall seconds and peak RSS (MB)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--home", str(home)]
    if csv is not None:
        cmd += ["--csv", str(csv)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    out, errs = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"step {step} failed:\n{errs[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["seconds"] = round(wall, 1)
    result["peak_rss_mb"] = round(result.pop("_maxrss_kb", 0) / 1024)
    result["cpu_s"] = result.pop("_cpu_s", None)
    return result


def make_corpus(n: int, seed: int, path: Path, start_offset_days: int = 0) -> dict[str, Any]:
    from crawlers.corpus import iter_corpus, load_sentences, write_csv
    from crawlers.corpus.generator import shipped_config
    from crawlers.corpus.options import CorpusOptions
    sentences = load_sentences(TEDDY, shipped_config()) if TEDDY.is_dir() else None
    opts = CorpusOptions()
    if start_offset_days:
        from datetime import timedelta
        opts = CorpusOptions(start=opts.start + timedelta(days=opts.days + start_offset_days), days=1)
    t0 = time.perf_counter()
    rows = write_csv((r for r, _ in iter_corpus(n, seed, config=shipped_config(), sentences=sentences,
                                                options=opts)), path)
    return {"rows": rows, "seconds": round(time.perf_counter() - t0, 1), "mode": "teddy" if sentences else "grammar"}


def environment(home: Path, backend: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU")}
    env.update(SUQIU_HOME=str(home), SUQIU_SEARCH_BACKEND=backend, PYTHONPATH=str(ROOT),
               SUQIU__SEARCH__ELASTICSEARCH__INDEX_PREFIX=prefix,
               SUQIU_ES_URL=os.environ.get("SUQIU_BENCH_ES_URL", "http://127.0.0.1:9200"))
    return env


def save(results: list[dict[str, Any]], args: argparse.Namespace) -> Path:
    """Write the figures so far: a one-million run that dies late keeps what it measured."""
    out = Path(args.out) if args.out else Path(args.work) / "bench-scale.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return out


def one_size(n: int, args: argparse.Namespace, done: list[dict[str, Any]]) -> dict[str, Any]:
    from suqiu.installation import write_default_config
    work = Path(args.work) / f"n{n}"
    home = work / "home"
    work.mkdir(parents=True, exist_ok=True)
    write_default_config(home, force=True)
    csv = work / "corpus.csv"
    result: dict[str, Any] = {"n": n, "corpus": make_corpus(n, args.seed, csv), "steps": {}}
    done.append(result)
    prefix = f"bench{n}-{int(time.time())}"
    env = environment(home, "embedded", prefix)
    for step in PIPELINE:
        result["steps"][step] = run_step(step, home, env, csv if step == "import" else None)
        print(f"  n={n:>9,} {step:9} {result['steps'][step]['seconds']:>8.1f} s", file=sys.stderr, flush=True)
        save(done, args)
    for backend in args.backends:
        be = environment(home, backend, prefix)
        result["steps"][f"index:{backend}"] = run_step("index", home, be)
        result["steps"][f"search:{backend}"] = run_step("search", home, be)
        save(done, args)
    for step in ("report", "digests"):
        result["steps"][step] = run_step(step, home, env)
    result["counts"] = run_step("counts", home, env)
    save(done, args)
    if args.incremental:
        result["incremental"] = []
        for day in range(1, args.days + 1):
            result["incremental"].append(incremental_day(home, work, args, env, day))
            save(done, args)
    return result


def incremental_day(home: Path, work: Path, args: argparse.Namespace, env: dict[str, str],
                    day: int = 1) -> dict[str, Any]:
    """New records of the ``day``-th day after the corpus on the full store: import, analyze, route, index."""
    csv = work / f"day{day}.csv"
    make_corpus(args.incremental, args.seed + day, csv, start_offset_days=day)
    steps = {s: run_step(s, home, env, csv if s == "import" else None)
             for s in ("import", "text", "classify", "topics", "views", "route", "index")}
    return {"day": day, "records": args.incremental, "seconds": round(sum(s["seconds"] for s in steps.values()), 1),
            "steps": {k: v["seconds"] for k, v in steps.items()},
            "views": {k: steps["views"].get(k) for k in ("build", "build_reason", "read")},
            "peak_rss_mb": max(v["peak_rss_mb"] for v in steps.values())}


def table(results: list[dict[str, Any]]) -> str:
    steps = [s for s in results[0]["steps"]]
    head = "| step | " + " | ".join(f"{r['n']:,}: s · rec/s · MB" for r in results) + " |"
    if len(results) > 1:
        head = head[:-1] + "| growth (last/previous) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for step in steps:
        cells = []
        for r in results:
            s = r["steps"].get(step, {})
            rate = round(r["n"] / s["seconds"]) if s.get("seconds") else 0
            cells.append(f"{s.get('seconds', '—')} · {rate:,} · {s.get('peak_rss_mb', '—')}")
        row = f"| {step} | " + " | ".join(cells) + " |"
        if len(results) > 1:
            a, b = results[-2]["steps"].get(step, {}), results[-1]["steps"].get(step, {})
            row += f" {round(b['seconds'] / a['seconds'], 1) if a.get('seconds') else '—'} |"
        lines.append(row)
    total = [round(sum(v["seconds"] for k, v in r["steps"].items() if not k.startswith("search")), 1)
             for r in results]
    lines.append("| **total** | " + " | ".join(f"**{t} s**" for t in total) + (" |" if len(results) == 1 else " | |"))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="10000,100000")
    ap.add_argument("--backends", default="embedded")
    ap.add_argument("--work", default=str(ROOT / "data" / "bench-scale"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--incremental", type=int, default=3000)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:  # child: run one step, print its JSON with this process's peak RSS
        import resource
        out = STEPS[args.step](args)
        out["_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # CPU seconds of the step and its worker processes: comparable when other work shares the cores
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        out["_cpu_s"] = round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 1)
        print(json.dumps(out, ensure_ascii=False, default=str))
        return
    args.backends = [b for b in args.backends.split(",") if b]
    results: list[dict[str, Any]] = []
    for n in (int(x) for x in args.n.split(",")):
        one_size(n, args, results)
        print(table(results), flush=True)
    print(f"\nfigures: {save(results, args)}", file=sys.stderr)


if __name__ == "__main__":
    main()
