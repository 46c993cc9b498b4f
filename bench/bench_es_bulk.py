"""Elasticsearch indexing: the backend's rebuild against a bare ``helpers.bulk`` of the same documents.

    .venv/bin/python bench/bench_es_bulk.py [--home data/bench-scale/n10000/home] [--repeats 3]
        [--es http://127.0.0.1:9200] [--chunk 500]

``--home`` is an analysed installation (``bench/bench_scale.py`` leaves one per size). Its demands
are built into index documents and segmented once, outside the timings; then, alternately and
``--repeats`` times each, (a) ``ElasticsearchBackend.rebuild`` fills a fresh index from them (the
path ``suqiu index --rebuild`` takes: bulk with retries, refresh off while filling, alias swap) and
(b) a bare ``elasticsearch.helpers.bulk`` sends the same sources, in chunks of the same size, into
a fresh index made from the same template with refresh off too. Prints documents per second of
each (median of the repeats) and the ratio; the target is a ratio of at least 0.9.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def documents(home: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The installation and its demands as index documents, already segmented."""
    from search.documents import searchable_text
    from search.indexing import IndexStats, build_documents
    from search.segmentation import segment_text
    from search.service import get_segmenter
    from suqiu.installation import Installation

    inst = Installation.load(str(home))
    segmenter = get_segmenter(inst)
    built = build_documents(inst, None, IndexStats(backend="elasticsearch"), {})
    return inst, [{**d, "seg": segment_text(segmenter, searchable_text(d))} for d in built]


def time_backend(inst: Any, url: str, prefix: str, docs: list[dict[str, Any]], chunk: int) -> float:
    from search.backends.elasticsearch import ElasticsearchBackend
    from search.service import get_segmenter
    backend = ElasticsearchBackend.from_url(url, prefix, get_segmenter(inst), chunk_size=chunk)
    backend.ensure_ready()
    t0 = time.perf_counter()
    report = backend.rebuild(iter(docs))
    seconds = time.perf_counter() - t0
    assert len(report.indexed) == len(docs), report.failed
    return seconds


def time_bare(url: str, prefix: str, docs: list[dict[str, Any]], chunk: int, run: int) -> float:
    from elasticsearch import helpers
    from search.es_client import connect
    client = connect(url, timeout=60)
    name = f"{prefix}-demands-vbare{run}"   # the backend's template pattern: same mapping and settings
    actions = ({"_op_type": "index", "_index": name, "_id": d["id"], "_source": d} for d in docs)
    t0 = time.perf_counter()   # like the backend's rebuild: a fresh index, refresh off while filling
    client.indices.create(index=name)
    client.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    client.indices.put_settings(index=name, settings={"refresh_interval": "-1"})
    ok, errors = helpers.bulk(client, actions, chunk_size=chunk, raise_on_error=False)
    client.indices.put_settings(index=name, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=name)
    seconds = time.perf_counter() - t0
    assert ok == len(docs) and not errors, errors[:3]
    client.indices.delete(index=name)   # never joined the backend's alias
    return seconds


def drop_bench_index(inst: Any, url: str, prefix: str) -> None:
    """Leave the cluster as it was: the backend's alias, index and template go."""
    from search.es_client import connect
    from search.mappings import alias_name
    client = connect(url, timeout=60)
    names = list(client.indices.get(index=f"{prefix}-demands-v*"))
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)
    client.indices.delete_index_template(name=alias_name(prefix))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=str(ROOT / "data" / "bench-scale" / "n10000" / "home"))
    ap.add_argument("--es", default="http://127.0.0.1:9200")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=500)
    args = ap.parse_args()
    home = Path(args.home)
    if not (home / "suqiu.toml").exists():
        print(f"skipped: {home} is no analysed installation (run bench/bench_scale.py --n 10000 first)")
        return
    from search.es_client import connect
    try:
        connect(args.es, timeout=5).cluster.health()
    except Exception as exc:   # noqa: BLE001 - any failure to reach it means: nothing to measure
        print(f"skipped: no Elasticsearch at {args.es} ({type(exc).__name__})")
        return
    inst, docs = documents(home)
    prefix = f"bulkbench{int(time.time())}"
    backend_s, bare_s = [], []
    for run in range(args.repeats):
        backend_s.append(time_backend(inst, args.es, prefix, docs, args.chunk))
        bare_s.append(time_bare(args.es, prefix, docs, args.chunk, run))
        print(f"  run {run + 1}: backend {backend_s[-1]:.2f} s, bare helpers.bulk {bare_s[-1]:.2f} s", file=sys.stderr)
    a, b = len(docs) / statistics.median(backend_s), len(docs) / statistics.median(bare_s)
    drop_bench_index(inst, args.es, prefix)
    print(json.dumps({"documents": len(docs), "chunk": args.chunk, "repeats": args.repeats,
                      "backend_docs_per_s": round(a), "bare_bulk_docs_per_s": round(b), "ratio": round(a / b, 3)}))


if __name__ == "__main__":
    main()
