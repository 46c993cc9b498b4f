"""Topic discovery and hotspots on the Teddy Cup 2020 C messages (../shared/datasets/teddy2020c/).

Fits topics on the labelled, unlabelled and voted messages together (about 9,200), choosing the
number of topics by c_v coherence; then ranks hotspots in the voted messages (topic × place × time
window; repeated posts counted once with their count) and runs the early-warning rules over them.
Prints: documents, chosen number of topics, c_v (per candidate), outlier share, the top-5
hotspots (place/population, time span, heat, description), warnings found, and run times.

The files are read by a small reader of its own (no store, no importer) and segmented with a
private ``jieba.Tokenizer``; sentiment and urgency are not available here, so those heat
components are zero. Run:

    .venv/bin/python bench/eval_topics.py [--limit 2000] [--backend nmf|lda] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEDDY = ROOT.parent / "shared" / "datasets" / "teddy2020c"

# anonymised places: A市, A3区, K9县 …; finer places end in a place suffix
_DISTRICT = re.compile(r"[A-Z]\d+[区县市]")
_FINE = re.compile(r"([\u4e00-\u9fa5A-Za-z0-9]{2,10}?(?:小区|花园|新村|家园|公寓|社区|村|大道|路|街道|镇|乡|"
                   r"中学|小学|学校|医院|广场|公园|大厦|城))")
_ANON_PLACE = re.compile(r"^[A-Z]\d*[市区县]")


def _read(name: str):
    import pandas as pd
    return pd.read_csv(TEDDY / name, dtype=str, keep_default_na=False)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _time(value: str):
    import pandas as pd
    from suqiu.model import SHANGHAI
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):  # an Excel serial date
        ts = pd.Timestamp("1899-12-30") + pd.to_timedelta(float(value), unit="D")
    else:
        ts = pd.to_datetime(value, format="mixed")
    return ts.to_pydatetime().replace(tzinfo=SHANGHAI)


def _places(title: str) -> tuple[str | None, list[str]]:
    districts = [d for d in _DISTRICT.findall(title) if d != "A市"]
    from nlp.stages.views import place_names  # the stage's filter of names like 我们小区
    found = [{"name": m.strip(), "level": "estate", "source": "pattern"}
             for m in _FINE.findall(_DISTRICT.sub(" ", title)) if len(m.strip()) >= 3]
    return (districts[0] if districts else None), place_names(found)[:2]


def load_messages(limit: int | None) -> list[dict[str, Any]]:
    """Labelled (no time), unlabelled and voted messages as plain dicts."""
    docs: list[dict[str, Any]] = []
    for i, row in _read("messages_labeled.csv").iterrows():
        docs.append({"id": f"labeled:{i}", "set": "labeled", "title": "", "text": _clean(row["text"])})
    for name, tag in (("messages_unlabeled.csv", "unlabeled"), ("messages_with_votes.csv", "voted")):
        for _, row in _read(name).iterrows():
            title, body = _clean(row["留言主题"]), _clean(row["留言详情"])
            district, fine = _places(title)
            d = {"id": f"{tag}:{row['留言编号']}", "set": tag, "title": title, "text": f"{title}。{body}",
                 "received_at": _time(row["留言时间"]), "requester": row["留言用户"] or None,
                 "district": district, "places": fine}
            if tag == "voted":
                d["votes_up"] = int(float(row["点赞数"] or 0))
                d["votes_down"] = int(float(row["反对数"] or 0))
            docs.append(d)
    if limit:
        # keep every set represented: take the newest-first interleave of the three
        step = max(1, len(docs) // limit)
        docs = docs[::step][:limit]
    return docs


def duplicate_groups(docs: list[dict[str, Any]]) -> None:
    """Repeated posts (same normalised title and text) share a dup_group, like the text stage's."""
    seen: dict[str, str] = {}
    for d in docs:
        key = hashlib.sha1(re.sub(r"\W", "", d["text"]).encode()).hexdigest()
        d["dup_group"] = seen.setdefault(key, d["id"])


def tokenize(docs: list[dict[str, Any]]) -> list[list[str]]:
    import jieba

    from nlp.topics import DEFAULT_TOPIC_STOP_WORDS, topic_tokens
    from suqiu.config import load_config
    config = load_config(Path("/nonexistent"), environ={})
    tk = jieba.Tokenizer()
    tk.initialize()
    for term in config.text.demand_terms:
        tk.add_word(term)
    stop = frozenset(config.text.stop_words) | DEFAULT_TOPIC_STOP_WORDS
    for d in docs:  # keywords of a demand, as the text stage would give: here its title's words
        d["keywords"] = topic_tokens(tk.lcut(d["title"]), stop, drop=_ANON_PLACE)
    return [topic_tokens(tk.lcut(d["text"]), stop, drop=_ANON_PLACE) for d in docs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="use this many messages (timing runs)")
    parser.add_argument("--backend", choices=["nmf", "lda"], default="nmf")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    if not TEDDY.is_dir():
        sys.exit(f"shared datasets absent at {TEDDY}")

    from nlp.early_warning import WarningSettings, all_warnings
    from nlp.hotspots import find_hotspots
    from nlp.topics import OUTLIER, TopicModeler, make_backend

    t0 = time.perf_counter()
    docs = load_messages(args.limit)
    duplicate_groups(docs)
    t_read = time.perf_counter()
    texts = tokenize(docs)
    t_tok = time.perf_counter()
    fit = TopicModeler(backend=make_backend(args.backend)).fit([d["id"] for d in docs], texts)
    t_fit = time.perf_counter()

    labels = {t.index: t.label for t in fit.topics}
    by_id = {a.doc_id: a for a in fit.assignments}
    for d in docs:
        a = by_id[d["id"]]
        d["topic_id"], d["topic_weight"] = a.index, a.weight
    voted = [d for d in docs if d["set"] == "voted"]
    hot = find_hotspots(voted, labels, top=5)
    warnings = all_warnings([d for d in docs if "received_at" in d], WarningSettings(), labels)
    t_end = time.perf_counter()

    result = {
        "documents": len(docs), "voted": len(voted), "backend": fit.backend, "k": fit.k,
        "coherence_c_v": round(fit.coherence, 4),
        "coherence_by_k": {k: round(v, 4) for k, v in fit.coherence_by_k.items()},
        "outlier_share": round(fit.outlier_share, 4),
        "duplicate_posts": len(docs) - len({d["dup_group"] for d in docs}),
        "topics": [{"index": t.index, "label": t.label, "size": t.size, "c_v": t.coherence,
                    "keywords": t.keywords} for t in fit.topics],
        "hotspots": [{"rank": i, "place": h["places"], "span": h["span"], "heat": h["heat"],
                      "count": h["count"], "submissions": h["submissions"], "votes_up": h["votes_up"],
                      "description": h["description"]} for i, h in enumerate(hot, start=1)],
        "warnings": len(warnings),
        "warnings_by_kind": {k: sum(1 for w in warnings if w["kind"] == k)
                             for k in sorted({w["kind"] for w in warnings})},
        "seconds": {"read": round(t_read - t0, 2), "tokenize": round(t_tok - t_read, 2),
                    "topic_fit": round(t_fit - t_tok, 2), "hotspots_warnings": round(t_end - t_fit, 2),
                    "total": round(t_end - t0, 2)},
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"文档 {result['documents']} 条（点赞留言 {result['voted']} 条，重复提交 {result['duplicate_posts']} 条）")
    print(f"模型 {fit.backend}，话题数 k = {fit.k}，c_v = {result['coherence_c_v']}，"
          f"各候选 {result['coherence_by_k']}")
    print(f"离群（未归入任何话题）占比 {result['outlier_share']:.1%}"
          f"（{sum(1 for a in fit.assignments if a.index == OUTLIER)} 条）")
    for t in fit.topics:
        print(f"  话题 {t.index:2d}  {t.size:5d} 条  c_v {t.coherence:.2f}  {t.label}  | {' '.join(t.keywords)}")
    print("\n热点问题 Top 5（点赞留言）")
    print("排名 | 热度 | 地点/人群 | 时间范围 | 诉求数/提交数 | 点赞 | 问题描述")
    for h in result["hotspots"]:
        print(f"{h['rank']} | {h['heat']:.2f} | {h['place']} | {h['span']} | {h['count']}/{h['submissions']} | "
              f"{h['votes_up']} | {h['description'][:50]}")
    print(f"\n预警 {result['warnings']} 条 {result['warnings_by_kind']}")
    print("用时(秒)", result["seconds"])


if __name__ == "__main__":
    main()
