"""Do topic names say what people would? Topics of the Teddy Cup messages read against their human labels.

The 2,110 labelled messages (``messages_labeled.csv``: people's 一级标签 such as 城乡建设, 环境保护)
go through the real stages (a fresh store in a temporary ``SUQIU_HOME``, the text stage, the
topics stage with the shipped configuration); the labels are never shown to the model, only read
afterwards. For every topic it prints its size, name, the human label most of its demands carry
and that label's share (purity), and how the name's phrases fit the demands:

- *shape*: two to four phrases, none a single character (what the issue asks of a name);
- *coverage*: share of the topic's demands that use at least one of its name's phrases;
- *exclusivity*: of all demands using one of those phrases, the share that sit in the topic;
- phrases shared by the names of several topics (a name that does not tell topics apart).

Totals are weighted by topic size; outliers (其他) are counted apart.

    PYTHONPATH=. .venv/bin/python bench/eval_topic_names.py [--limit 2110] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TEDDY = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c" / "messages_labeled.csv"
START = datetime(2019, 1, 1, 9, 0)


def load(inst: Any, path: Path, limit: int | None) -> dict[str, str]:
    """Store the messages as portal demands (a fixed clock, one every 30 minutes); id → human label."""
    from suqiu.model import build_demand
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("text") or "").strip()][:limit]
    demands = [build_demand({"source": "portal", "source_id": f"teddy{i:05d}", "content": r["text"].strip()[:4000],
                             "received_at": START + timedelta(minutes=30 * i)}) for i, r in enumerate(rows)]
    inst.store.upsert(demands, origin="bench")
    return {f"portal:teddy{i:05d}": r["label"] for i, r in enumerate(rows)}


def name_figures(topics: list[dict[str, Any]], docs: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any]:
    """Per topic and overall: purity against the human labels, the name's shape, coverage and exclusivity."""
    by_topic: dict[int, list[dict[str, Any]]] = {}
    for d in docs:
        by_topic.setdefault(int(d["topic_id"]), []).append(d)
    phrase_count = Counter(p for t in topics for p in set(t["label"].split("·")))
    rows, weighted = [], Counter()
    for t in topics:
        members = by_topic.get(int(t["id"]), [])
        if not members:
            continue
        phrases = [p for p in t["label"].split("·") if p]
        shape = 2 <= len(phrases) <= 4 and all(len(p) >= 2 for p in phrases)
        uses = [d for d in docs if set(phrases) & set(d["tokens"] or [])]
        inside = sum(1 for d in uses if int(d["topic_id"]) == int(t["id"]))
        top_label, top_n = Counter(labels[d["id"]] for d in members).most_common(1)[0]
        row = {"id": t["id"], "name": t["label"], "size": len(members), "label": top_label,
               "purity": round(top_n / len(members), 3), "shape_ok": shape,
               "coverage": round(sum(1 for d in members if set(phrases) & set(d["tokens"] or [])) / len(members), 3),
               "exclusivity": round(inside / len(uses), 3) if uses else 0.0,
               "shared_phrases": sorted(p for p in phrases if phrase_count[p] > 1)}
        rows.append(row)
        for key in ("purity", "coverage", "exclusivity"):
            weighted[key] += row[key] * row["size"]
        weighted["shape_ok"] += row["size"] * shape
    n = sum(r["size"] for r in rows) or 1
    rows.sort(key=lambda r: -r["size"])
    return {"topics": rows, "in_topics": n, "outliers": len(by_topic.get(-1, [])),
            **{k: round(weighted[k] / n, 3) for k in ("purity", "coverage", "exclusivity", "shape_ok")},
            "names_with_shared_phrases": sum(1 for r in rows if r["shared_phrases"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=TEDDY, help="CSV with text and label columns")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.file.exists():
        sys.exit(f"跳过：找不到 {args.file}（../shared/datasets/teddy2020c，见其 README）")

    from nlp.stages.text import TextStage
    from nlp.stages.topics import TopicsStage, list_topics
    from suqiu.installation import Installation, write_default_config

    with tempfile.TemporaryDirectory(prefix="suqiu-names-") as tmp:
        home = Path(tmp) / "home"
        write_default_config(home)
        inst = Installation.load(home, environ={})
        labels = load(inst, args.file, args.limit)
        TextStage(workers=1).run(inst)
        stats = TopicsStage(refit=True).run(inst)
        docs = [d for d in inst.store.stage_docs("topics", ["tokens", "topic_id"]) if d["topic_id"] is not None]
        figures = {"messages": len(labels), "k": stats.k, **name_figures(list_topics(inst.store), docs, labels)}
        inst.store.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"{figures['messages']} 条留言，话题数 k = {figures['k']}，其他 {figures['outliers']} 条")
    print(f"按规模加权：纯度 {figures['purity']:.3f}，名称覆盖 {figures['coverage']:.3f}，"
          f"名称专属 {figures['exclusivity']:.3f}，名称形态合格 {figures['shape_ok']:.3f}；"
          f"含与他题共用短语的名称 {figures['names_with_shared_phrases']} 个")
    for r in figures["topics"]:
        shared = f"  共用：{'、'.join(r['shared_phrases'])}" if r["shared_phrases"] else ""
        print(f"  {r['size']:5d} 条  {r['name']:<24s} 多数标签 {r['label']}（{r['purity']:.0%}）"
              f"  覆盖 {r['coverage']:.0%}  专属 {r['exclusivity']:.0%}{'' if r['shape_ok'] else '  形态不合格'}{shared}")


if __name__ == "__main__":
    main()
