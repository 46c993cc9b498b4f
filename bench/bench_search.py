"""Search latency on both backends at 100k synthetic demands: prints p50/p95 per backend and query kind.

    .venv/bin/python bench/bench_search.py                    # 100k, embedded + Elasticsearch
    .venv/bin/python bench/bench_search.py --n 20000 --backend embedded
    SUQIU_ES_URL=http://127.0.0.1:9200 .venv/bin/python bench/bench_search.py --repeat 5
    .venv/bin/python bench/bench_search.py --n 20000 --fold       # near-duplicates folded, as the web does

Documents come from ``crawlers.synthetic.generate`` (seeded), masked with ``nlp.pii``, segmented
once with the project's segmenter and indexed into a throw-away embedded file and a uniquely
prefixed Elasticsearch alias (dropped afterwards). Each timed search includes facets (6 fields),
highlighting and the access rule, measured end to end through ``backend.search``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.access import Principal  # noqa: E402
from search.query import SearchQuery  # noqa: E402

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("word", {"text": "停水"}),
    ("word", {"text": "噪音"}),
    ("word", {"text": "物业"}),
    ("two words", {"text": "物业 收费"}),
    ("two words", {"text": "工资 拖欠"}),
    ("phrase", {"text": '"延期交房"'}),
    ("or", {"text": "停水 OR 停电"}),
    ("exclusion", {"text": "噪音 -装修"}),
    ("filtered", {"text": "噪音", "district": "鼓楼区"}),
    ("filtered", {"text": "", "department": "住房和城乡建设局", "status": "received"}),
    ("date range", {"text": "垃圾", "date_from": "2026-10-01", "date_to": "2026-10-31"}),
    ("browse", {"text": "", "sort": "time"}),
    ("heat", {"text": "学位", "sort": "heat"}),
    ("overdue", {"text": "", "overdue": True}),
    ("department", {"text": "交房", "principal": "department"}),
    ("deep page", {"text": "小区", "page": 20}),
]


def build_documents(n: int, seed: int) -> list[dict[str, Any]]:
    from crawlers.synthetic import generate
    from nlp.pii import PiiMasker
    from search.documents import demand_document, searchable_text
    from search.segmentation import default_segmenter, segment_text
    from suqiu.config import load_config
    from suqiu.model import Analysis, RecordError, build_demand

    config = load_config(Path("/nonexistent-suqiu-home"))
    mask, seg = PiiMasker(), default_segmenter(config)
    docs: list[dict[str, Any]] = []
    for item in generate(n, seed=seed, with_truth=True):
        truth = item.pop("_truth")
        try:
            d = build_demand(item)
        except RecordError:
            continue  # the generator spoils ~2% on purpose
        record = {**d.model_dump(mode="python"), "id": d.id, "source": d.source.value, "status": d.status.value,
                  "version": 1}
        analysis = Analysis(record_id=d.id, masked_text=mask(d.content), masked_title=mask(d.title),
                            sentiment_label=truth["sentiment"], urgency_level=truth["urgency"],
                            department=truth["department"], dup_group=truth["dup_of"])  # resubmissions group
        doc = demand_document(record, analysis, owner=truth["department"])
        doc["seg"] = segment_text(seg, searchable_text(doc))
        docs.append(doc)
    return docs


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def run_queries(backend: Any, repeat: int, fold: bool = False) -> dict[str, Any]:
    office, dept = Principal.office(), Principal.for_department("住房和城乡建设局")
    per_kind: dict[str, list[float]] = {}
    all_ms: list[float] = []
    totals: dict[str, int] = {}
    for _ in range(1 + repeat):  # first pass warms caches and is not timed
        for kind, spec in QUERIES:
            spec = dict(spec)
            principal = dept if spec.pop("principal", None) == "department" else office
            query = SearchQuery.create(spec.pop("text"), size=20, fold_duplicates=fold, **spec)
            t0 = time.perf_counter()
            result = backend.search(query, principal)
            ms = (time.perf_counter() - t0) * 1000
            totals[f"{kind}:{query.raw_text}"] = result.total
            if _ == 0:
                continue
            per_kind.setdefault(kind, []).append(ms)
            all_ms.append(ms)
    return {
        "queries": len(all_ms),
        "p50_ms": round(statistics.median(all_ms), 2), "p95_ms": round(pct(all_ms, 95), 2),
        "max_ms": round(max(all_ms), 2),
        "by_kind": {k: {"p50_ms": round(statistics.median(v), 2), "p95_ms": round(pct(v, 95), 2)}
                    for k, v in per_kind.items()},
        "totals": totals,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=10, help="timed passes over the query set")
    ap.add_argument("--backend", choices=("both", "embedded", "elasticsearch"), default="both")
    ap.add_argument("--es-url", default=os.environ.get("SUQIU_ES_URL", "http://127.0.0.1:9200"))
    ap.add_argument("--json", action="store_true", help="one JSON document on stdout")
    ap.add_argument("--fold", action="store_true", help="fold near-duplicates (同类诉求), as the web and CLI do")
    ap.add_argument("--cache", type=Path, help="keep the prepared documents in this pickle (re-runs skip preparation)")
    args = ap.parse_args()

    from search.segmentation import default_segmenter
    from suqiu.config import load_config
    seg = default_segmenter(load_config(Path("/nonexistent-suqiu-home")))

    t0 = time.perf_counter()
    if args.cache and args.cache.exists():
        with args.cache.open("rb") as fh:
            docs = pickle.load(fh)[: args.n]
    else:
        docs = build_documents(args.n, args.seed)
        if args.cache:
            with args.cache.open("wb") as fh:
                pickle.dump(docs, fh)
    prep_s = time.perf_counter() - t0
    print(f"generated, masked and segmented {len(docs)} documents in {prep_s:.1f} s", file=sys.stderr)
    report: dict[str, Any] = {"documents": len(docs), "prepare_s": round(prep_s, 1), "backends": {}}

    kinds = ("embedded", "elasticsearch") if args.backend == "both" else (args.backend,)
    with tempfile.TemporaryDirectory(prefix="suqiu-bench-") as tmp:
        for kind in kinds:
            if kind == "embedded":
                from search.backends.embedded import EmbeddedBackend
                backend: Any = EmbeddedBackend(Path(tmp) / "embedded.db", seg)
            else:
                from search.backends.elasticsearch import ElasticsearchBackend
                backend = ElasticsearchBackend.from_url(args.es_url, f"suqiubench-{uuid.uuid4().hex[:8]}", seg,
                                                        timeout=120)
            try:
                t0 = time.perf_counter()
                indexed = backend.rebuild(iter(docs))
                index_s = time.perf_counter() - t0
                info = backend.describe()
                print(f"{kind}: indexed {len(indexed.indexed)} ({len(indexed.failed)} failed) in {index_s:.1f} s",
                      file=sys.stderr)
                stats = run_queries(backend, args.repeat, args.fold)
                stats.update(index_s=round(index_s, 1), docs_per_s=round(len(indexed.indexed) / index_s),
                             info={k: v for k, v in info.items() if k != "path"})
                report["backends"][kind] = stats
            finally:
                backend.drop()
                backend.close()

    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(f"{report['documents']} documents (prepared in {report['prepare_s']} s)")
    for kind, s in report["backends"].items():
        print(f"\n{kind} {s['info']}: indexed in {s['index_s']} s ({s['docs_per_s']} docs/s)")
        print(f"  all {s['queries']} searches: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, max {s['max_ms']} ms")
        for k, v in s["by_kind"].items():
            print(f"  {k:12} p50 {v['p50_ms']:8.2f} ms   p95 {v['p95_ms']:8.2f} ms")


if __name__ == "__main__":
    main()
