"""Bringing the search index up to date from the store (the I/O edge of ``search/``).

The store tracks what the index has seen: stage ``index`` keyed by each record's ``version``
(bumped on any change to the record or its analysis). A run indexes what is pending and marks
only what the engine acknowledged, so when Elasticsearch is down the run says so, marks nothing,
and the next run catches up. Only analysed records (those with masked text) are indexed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from search.backends.base import SearchBackend, SearchUnavailable
from search.documents import demand_document
from suqiu import schema
from suqiu.model import Analysis

STAGE = "index"
BATCH = 500


@dataclass
class IndexStats:
    backend: str
    rebuild: bool = False
    pending: int = 0
    indexed: int = 0
    failed: int = 0
    waiting_analysis: int = 0
    in_index: int | None = None
    error: str | None = None
    failures: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.failed == 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["failures"] = dict(list(self.failures.items())[:20])
        d["ok"] = self.ok
        return d


def _analyses(store: Any, ids: Sequence[str]) -> dict[str, Analysis]:
    an = schema.analysis
    with store.engine.connect() as conn:
        rows = conn.execute(select(an).where(an.c.record_id.in_(list(ids)))).mappings().all()
    out = {}
    for row in rows:
        data = {k: v for k, v in dict(row).items() if k != "updated_at" and v is not None}
        out[row["record_id"]] = Analysis.model_validate(data)
    return out


def _dup_sizes(store: Any, groups: set[str]) -> dict[str, int]:
    if not groups:
        return {}
    an = schema.analysis
    with store.engine.connect() as conn:
        rows = conn.execute(select(an.c.dup_group, func.count()).where(an.c.dup_group.in_(list(groups)))
                            .group_by(an.c.dup_group)).all()
    return {g: int(n) for g, n in rows}


def build_documents(app: Any, ids: Sequence[str] | None, stats: IndexStats,
                    versions: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Documents for ``ids`` (None: every record), batch by batch; un-analysed ones are counted, not indexed."""
    store = app.store
    batch: list[dict[str, Any]] = []

    def flush(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        analyses = _analyses(store, [r["id"] for r in rows])
        sizes = _dup_sizes(store, {a.dup_group for a in analyses.values() if a.dup_group})
        for rec in rows:
            a = analyses.get(rec["id"])
            doc = demand_document(rec, a, config=app.config,
                                  dup_size=sizes.get(a.dup_group, 1) if a and a.dup_group else 1)
            if doc is None:
                stats.waiting_analysis += 1
                continue
            versions[rec["id"]] = str(rec["version"])
            yield doc

    for rec in store.iter_records(ids=ids, batch=BATCH):
        batch.append(rec)
        if len(batch) >= BATCH:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def index_pending(app: Any, rebuild: bool = False, backend: SearchBackend | None = None) -> IndexStats:
    """Index what changed since the last run (or everything into a fresh index with ``rebuild``)."""
    if backend is None:
        from search.service import get_backend
        backend = get_backend(app)
    store = app.store
    stats = IndexStats(backend=backend.name, rebuild=rebuild)
    stats.run_id = store.start_run("index", source=backend.name)
    try:
        created = backend.ensure_ready()
        if created and not rebuild and store.count(schema.stage_state, schema.stage_state.c.stage == STAGE):
            stats.rebuild = rebuild = True  # the index vanished behind the store's back: build it whole
        versions: dict[str, str] = {}
        if rebuild:
            stats.pending = store.count()
            report = backend.rebuild(build_documents(app, None, stats, versions))
        else:
            ids = store.pending(STAGE, key="version")
            stats.pending = len(ids)
            report = None
            for i in range(0, len(ids), BATCH * 4):
                part = backend.index_documents(build_documents(app, ids[i:i + BATCH * 4], stats, versions))
                store.mark_done(STAGE, {rid: versions[rid] for rid in part.indexed})
                stats.indexed += len(part.indexed)
                stats.failures.update(part.failed)
            backend.refresh()
        if report is not None:
            with store.begin() as conn:
                conn.execute(schema.stage_state.delete().where(schema.stage_state.c.stage == STAGE))
            store.mark_done(STAGE, {rid: versions[rid] for rid in report.indexed})
            stats.indexed = len(report.indexed)
            stats.failures.update(report.failed)
        stats.failed = len(stats.failures)
        stats.in_index = backend.count()
    except SearchUnavailable as exc:
        stats.error = str(exc)
    store.finish_run(stats.run_id, stats.as_dict(), error=stats.error)
    return stats
