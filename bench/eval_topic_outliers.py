"""Outlier share of the topic stage on a corpus run through the real pipeline (store, text stage, topics).

Where ``bench/eval_topics.py`` fits the topic model on the Teddy Cup messages with a tokenizer of
its own, this one measures what an installation would get: the records go into a fresh store in a
temporary ``SUQIU_HOME``, the text stage segments, masks and groups them, and the topics stage
fits and assigns with the shipped configuration. Prints the number of records, the chosen number
of topics with c_v per candidate, the outlier share (demands shown as 其他), the topics with their
names and sizes, and the run times.

    PYTHONPATH=. .venv/bin/python bench/eval_topic_outliers.py --synthetic 20000 [--seed 1]
    PYTHONPATH=. .venv/bin/python bench/eval_topic_outliers.py --file corpus.csv   # any export the importers read
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def load_records(inst: Any, args: argparse.Namespace) -> str:
    """Fill the store; returns what was loaded, for the printout."""
    if args.file:
        from crawlers.importers.run import import_file
        stats = import_file(inst.store, inst.config, args.file)
        return f"{args.file.name}（导入 {stats.as_dict().get('new', 0)} 条）"
    from crawlers.synthetic import generate, strip_truth
    from suqiu.model import build_demand
    batch: list[Any] = []
    for item in generate(args.synthetic, seed=args.seed, bad_rate=0.0):
        batch.append(build_demand(strip_truth(item)))
        if len(batch) == 2000:
            inst.store.upsert(batch, origin="bench")
            batch = []
    if batch:
        inst.store.upsert(batch, origin="bench")
    return f"crawlers.synthetic.generate({args.synthetic}, seed={args.seed})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--synthetic", type=int, help="this many synthetic demands (crawlers.synthetic)")
    src.add_argument("--file", type=Path, help="an export (CSV/XLSX) the importers read")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="text-stage worker processes")
    ap.add_argument("--home", type=Path, help="keep the installation here; when it already holds the "
                                              "analysed corpus, only the topics stage runs again")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.file and not args.file.exists():
        sys.exit(f"跳过：文件不存在 {args.file}")

    from nlp.stages.text import TextStage
    from nlp.stages.topics import TopicsStage, list_topics
    from suqiu.installation import Installation, write_default_config

    with tempfile.TemporaryDirectory(prefix="suqiu-topics-") as tmp:
        home = args.home or Path(tmp) / "home"
        reuse = (home / "suqiu.toml").exists()
        write_default_config(home)
        inst = Installation.load(home, environ={})
        t0 = time.perf_counter()
        what = f"{home}（已分析，仅重跑话题阶段）" if reuse else load_records(inst, args)
        t_load = time.perf_counter()
        if not reuse:
            TextStage(workers=args.workers).run(inst)
        t_text = time.perf_counter()
        stats = TopicsStage(refit=True).run(inst)
        t_topics = time.perf_counter()
        state = TopicsStage.load_state(inst) or {}
        topics = list_topics(inst.store)
        inst.store.close()
    share = stats.outliers / stats.assigned if stats.assigned else 0.0
    result = {
        "corpus": what, "assigned": stats.assigned, "outliers": stats.outliers, "outlier_share": round(share, 4),
        "k": stats.k, "coherence_c_v": stats.coherence, "coherence_by_k": state.get("coherence_by_k"),
        "topics": [{"id": t["id"], "label": t["label"], "size": t["size"]} for t in topics],
        "seconds": {"load": round(t_load - t0, 1), "text": round(t_text - t_load, 1),
                    "topics": round(t_topics - t_text, 1)},
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"语料 {what}：话题阶段处理 {stats.assigned} 条")
    print(f"话题数 k = {stats.k}，c_v = {stats.coherence}，各候选 {state.get('coherence_by_k')}")
    print(f"离群（显示为「其他」）占比 {share:.1%}（{stats.outliers} 条）")
    for t in topics:
        print(f"  话题 {t['id']:2d}  {t['size']:6d} 条  {t['label']}")
    print("用时(秒)", result["seconds"])


if __name__ == "__main__":
    main()
