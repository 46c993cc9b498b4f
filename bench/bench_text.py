"""Throughput of the text stage against jieba segmentation alone, on the same texts and cores.

    .venv/bin/python bench/bench_text.py [--limit 4000] [--repeat 5] [--batch 500]

Texts: the Teddy Cup 2020 citizen messages (../shared/datasets/teddy2020c) when present, else
synthesized demands. Prints characters per second for
  1. jieba alone: jieba's own ``Tokenizer.lcut`` (same user dictionary) cutting the raw texts, one process
     (the reference; the stage itself segments with ``nlp.fast_cut``, which gives identical tokens);
  2. the project's segmenter alone (``nlp.fast_cut``: jieba's accurate mode, same tokens), one process;
  3. the whole text stage (normalize, mask, segment, places, TextRank, MinHash, TF-IDF), one process;
  4. the whole text stage with two worker processes (pool start-up reported separately).
The stage is fed as ``suqiu analyze`` feeds it: batches of ``--batch`` texts through
``TextPipeline.process_batches`` (with workers, the next batch is cut while this process picks the
current batch's keywords).
The stage's cut cache is emptied before every run, so no run profits from an earlier one on the
same texts. Each figure is the best of ``--repeat`` interleaved runs (other processes share the machine; the
load average is printed so contention is visible). No database work is included.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.keywords import DocFreq  # noqa: E402
from nlp.text_pipeline import TextDoc, TextPipeline  # noqa: E402
from suqiu.config import default_config_text, parse_config  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c"


def load_docs(limit: int) -> tuple[list[TextDoc], str]:
    files = ["messages_with_votes.csv", "messages_unlabeled.csv", "messages_with_replies.csv"]
    docs: list[TextDoc] = []
    if SHARED.is_dir():
        for name in files:
            with open(SHARED / name, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    docs.append(TextDoc(f"{name}:{row['留言编号']}", row.get("留言主题") or "",
                                        row.get("留言详情") or ""))
                    if len(docs) >= limit:
                        return docs, f"teddy2020c ({', '.join(files)})"
        return docs, "teddy2020c"
    rng = random.Random(7)
    parts = ["小区物业乱收费", "楼下烧烤油烟扰民", "公司拖欠工资三个月", "道路积水严重", "学校周边交通拥堵",
             "电话13812345678", "工地夜间施工噪音扰民", "希望相关部门尽快处理", "垃圾清运不及时"]
    for i in range(limit):
        docs.append(TextDoc(f"syn:{i}", rng.choice(parts), "，".join(rng.choices(parts, k=30)) + "。"))
    return docs, "synthetic"


def best(fn, repeat: int) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run in this process)."""
    runs = []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=500, help="texts per batch (suqiu analyze's batch size)")
    args = ap.parse_args()

    docs, origin = load_docs(args.limit + 64)
    docs, warmup = docs[:args.limit], docs[args.limit:]  # warm-up texts are not among the timed ones
    config = parse_config(tomllib.loads(default_config_text()))
    stage = TextPipeline.from_config(config).warm()
    tok = stage.segmenter.tokenizer
    raw = [f"{d.title}\n{d.content}" for d in docs]
    # as ``suqiu analyze`` feeds the stage: batches of --batch texts (workers run ahead by one batch)
    batches = [docs[i:i + args.batch] for i in range(0, len(docs), args.batch)]
    chars = sum(len(f"{d.title}\n{d.content.strip()}") for d in docs)

    print(f"texts: {len(docs)} from {origin}, {chars:,} characters (after stripping padding)")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")

    results: dict[str, list[tuple[float, float]]] = {"jieba": [], "cut": [], "stage1": [], "stage2": []}
    startups = []
    for _ in range(args.repeat):
        results["jieba"].append(best(lambda: [tok.lcut(t, HMM=True) for t in raw], 1))
        stage.segmenter.clear_cache()
        results["cut"].append(best(lambda: [stage.segmenter.cut(t) for t in raw], 1))
        stage.segmenter.clear_cache()
        results["stage1"].append(best(lambda: list(stage.process_batches(batches, DocFreq())), 1))
        stage.segmenter.clear_cache()  # forked workers start from this (empty) cache
        t0 = time.perf_counter()
        with stage.pool(2) as pool:
            startups.append(time.perf_counter() - t0)
            stage.process(warmup, DocFreq(), pool, chunk=32)  # workers touch their pages once
            results["stage2"].append(best(lambda: list(stage.process_batches(batches, DocFreq(), pool)), 1))
    startup = min(startups)
    load_after = os.getloadavg()[0]

    jieba_wall, jieba_cpu = min(results["jieba"])
    cut_wall, cut_cpu = min(results["cut"])
    s1_wall, s1_cpu = min(results["stage1"])
    s2_wall, _ = min(results["stage2"])
    jieba_rate = chars / jieba_wall
    print(f"{'':34}{'chars/s':>12}{'× jieba':>10}{'wall s':>9}{'cpu s':>8}")
    print(f"{'jieba alone, 1 process':34}{jieba_rate:>12,.0f}{1.0:>10.2f}{jieba_wall:>9.2f}{jieba_cpu:>8.2f}")
    print(f"{'nlp.fast_cut alone, 1 process':34}{chars / cut_wall:>12,.0f}{jieba_wall / cut_wall:>10.2f}"
          f"{cut_wall:>9.2f}{cut_cpu:>8.2f}")
    print(f"{'text stage, 1 process':34}{chars / s1_wall:>12,.0f}{jieba_wall / s1_wall:>10.2f}{s1_wall:>9.2f}{s1_cpu:>8.2f}")
    print(f"{'text stage, 2 processes':34}{chars / s2_wall:>12,.0f}{jieba_wall / s2_wall:>10.2f}{s2_wall:>9.2f}{'-':>8}")
    print(f"pool start-up ({stage_pool_method()}, not in the timings): {startup:.2f}s; CPU-time ratio stage/jieba (1 process): "
          f"{s1_cpu / jieba_cpu:.2f}")
    print(f"targets: stage ≥ 0.70× jieba (1 process), ≥ 1.70× (2 processes); load average after: {load_after:.2f}")
    print("all runs (wall s): " + "; ".join(f"{k} " + ", ".join(f"{w:.2f}" for w, _ in v) for k, v in results.items()))


def stage_pool_method() -> str:
    from nlp.pool import start_method
    return start_method()


if __name__ == "__main__":
    main()
