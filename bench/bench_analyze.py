"""The whole ``suqiu analyze`` against jieba alone, on the same Teddy Cup messages, in one process.

    .venv/bin/python bench/bench_analyze.py [--file messages_with_votes.csv] [--workers 0] [--repeat 3]

A fresh installation imports the 4,326 voted Teddy Cup 2020 messages through the real importer;
then ``run_stages`` (what ``suqiu analyze`` runs: text, classify, topics, views, each writing to
the store) is timed on them, and ``jieba.Tokenizer().lcut`` alone on the same texts (title and
content, the one reference the issue names; best of ``--repeat``) in the same process. Prints
both times and their ratio (jieba time / analyze time: 1.0 would be analysing as fast as jieba
only cuts). The load average is printed so contention is visible.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEDDY = ROOT.parent / "shared" / "datasets" / "teddy2020c"


def texts_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [f"{r['留言主题']}\n{r['留言详情']}" for r in csv.DictReader(fh)]


def jieba_seconds(texts: list[str], repeat: int) -> float:
    import jieba
    tok = jieba.Tokenizer()
    tok.initialize()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            tok.lcut(t)
        best = min(best, time.perf_counter() - t0)
    return best


def analyze_seconds(path: Path, workers: int) -> tuple[float, dict]:
    from crawlers.importers.run import import_file
    from nlp.stages import default_stages, run_stages
    from suqiu.installation import Installation, write_default_config
    with tempfile.TemporaryDirectory(prefix="suqiu-bench-analyze-") as home:
        write_default_config(Path(home), force=True)
        inst = Installation.load(home)
        imported = import_file(inst.store, inst.config, path).as_dict()
        t0 = time.perf_counter()
        stats = run_stages(inst, default_stages(workers))
        seconds = time.perf_counter() - t0
        inst.store.engine.dispose()
    stage_s = {"text": stats.get("seconds"), **{k: v.get("seconds") for k, v in stats["stages"].items()}}
    return seconds, {"imported": imported["new"], "analyzed": stats.get("analyzed"), "workers": stats.get("workers"),
                     "stage_seconds": stage_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(TEDDY / "messages_with_votes.csv"))
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = Path(args.file)
    if not path.exists():
        print(f"skipped: {path} is absent (../shared/datasets holds the Teddy Cup messages)")
        return
    texts = texts_of(path)
    analyze_s, info = analyze_seconds(path, args.workers)
    jieba_s = jieba_seconds(texts, args.repeat)
    print(json.dumps({"messages": len(texts), "chars": sum(map(len, texts)), **info,
                      "analyze_s": round(analyze_s, 2), "jieba_s": round(jieba_s, 2),
                      "ratio_jieba_over_analyze": round(jieba_s / analyze_s, 3),
                      "load_avg": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
