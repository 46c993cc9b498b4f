"""Bringing the search index up to date from the store (the I/O edge of ``search/``).

The store tracks what the index has seen: stage ``index`` keyed by each record's ``version``
(bumped on any change to the record or its analysis). A run indexes what is pending and marks
only what the engine acknowledged, so when Elasticsearch is down the run says so, marks nothing,
and the next run catches up. Only analysed records (those with masked text) are indexed.

Profiles (需求画像) and topics go into the same index. They are rebuilt wholesale by the topics
stage, so instead of versions the store keeps the content hash of each such document the engine
acknowledged (``index_aggregates``): a run sends the ones whose hash changed and deletes the ones
that left the store.

Every run holds the store lease ``search-index``. A rebuild fills a new index from a snapshot of
the store while the alias still points at the old one; an incremental run writing meanwhile would
write into the old index, mark its records done, and lose them at the alias swap. So a run that
finds the lease held writes nothing, says who holds it since when, and leaves everything pending.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from itertools import chain
from typing import Any

from sqlalchemy import func, select

from search.backends.base import SearchBackend, SearchUnavailable
from search.documents import demand_document, profile_document, topic_document
from suqiu import schema
from suqiu.locks import Lease, LeaseLost, LockHeld
from suqiu.model import Analysis
from suqiu.store import now_local, to_db_time

STAGE = "index"
BATCH = 500
LOCK = "search-index"
LEASE = timedelta(minutes=10)  # refreshed every batch; a run that dies frees the index after this


@dataclass
class IndexStats:
    backend: str
    rebuild: bool = False
    pending: int = 0
    indexed: int = 0
    failed: int = 0
    waiting_analysis: int = 0
    in_index: int | None = None
    profiles: int = 0          # profile documents sent and acknowledged in this run
    topics: int = 0            # topic documents sent and acknowledged in this run
    removed: int = 0           # profile/topic documents deleted (no longer in the store)
    error: str | None = None
    locked_by: dict[str, Any] | None = None   # the other run holding the index lease, when refused
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


def aggregate_documents(app: Any) -> list[dict[str, Any]]:
    """Every profile and every active topic as index documents, built from the store now."""
    from suqiu.topics_stage import list_topics
    p = schema.profiles
    with app.store.engine.connect() as conn:
        rows = conn.execute(select(p.c.id, p.c.dimension, p.c.value, p.c.week, p.c.volume, p.c.data)
                            .order_by(p.c.id)).mappings().all()
    docs = [profile_document({**(r["data"] if isinstance(r["data"], dict) else {}), "id": r["id"],
                              "dimension": r["dimension"], "value": r["value"], "week": r["week"],
                              "volume": r["volume"]}, config=app.config) for r in rows]
    docs += [topic_document(t, [rep["title"] for rep in t["representatives"]]) for t in list_topics(app.store)]
    return docs


def document_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _count_aggregates(stats: IndexStats, ids: Sequence[str], kinds: dict[str, str]) -> None:
    for i in ids:
        if kinds.get(i) == "profile":
            stats.profiles += 1
        elif kinds.get(i) == "topic":
            stats.topics += 1


def _record_aggregates(conn: Any, ids: Sequence[str], hashes: dict[str, str], kinds: dict[str, str]) -> None:
    """Remember what the engine acknowledged, by content hash."""
    if not ids:
        return
    t = schema.index_aggregates
    now = to_db_time(now_local())
    conn.execute(t.delete().where(t.c.id.in_(list(ids))))
    conn.execute(t.insert(), [{"id": i, "kind": kinds[i], "hash": hashes[i], "indexed_at": now} for i in ids])


def sync_aggregates(app: Any, backend: SearchBackend, stats: IndexStats, lease: Lease) -> None:
    """Send the profiles and topics whose document changed; delete the ones that left the store."""
    docs = aggregate_documents(app)
    hashes = {d["id"]: document_hash(d) for d in docs}
    kinds = {d["id"]: d["kind"] for d in docs}
    t = schema.index_aggregates
    with app.store.engine.connect() as conn:
        known = {r.id: r.hash for r in conn.execute(select(t.c.id, t.c.hash))}
    changed = [d for d in docs if known.get(d["id"]) != hashes[d["id"]]]
    for i in range(0, len(changed), BATCH):
        lease.refresh()
        part = backend.index_documents(changed[i:i + BATCH])
        with app.store.begin() as conn:
            _record_aggregates(conn, part.indexed, hashes, kinds)
        _count_aggregates(stats, part.indexed, kinds)
        stats.failures.update(part.failed)
    gone = sorted(set(known) - set(hashes))
    if gone:
        lease.refresh()
        report = backend.delete_documents(gone)
        if report.removed:
            with app.store.begin() as conn:
                conn.execute(t.delete().where(t.c.id.in_(report.removed)))
        stats.removed = len(report.removed)
        stats.failures.update(report.failed)


def _leased(docs: Iterable[dict[str, Any]], lease: Lease) -> Iterator[dict[str, Any]]:
    """Refresh the lease every ``BATCH`` documents and once more when the stream ends, which is
    before the engine swaps the new index in: a rebuild that lost its lease fails before the swap."""
    for n, doc in enumerate(docs):
        if n % BATCH == 0:
            lease.refresh()
        yield doc
    lease.refresh()


def _rebuild(app: Any, backend: SearchBackend, stats: IndexStats, lease: Lease) -> None:
    """Everything into a fresh index (swapped in at the end); then the store's bookkeeping is reset
    to exactly what that index acknowledged, at the versions and hashes it was built from."""
    store = app.store
    versions: dict[str, str] = {}
    stats.pending = store.count()
    aggregates = aggregate_documents(app)
    hashes = {d["id"]: document_hash(d) for d in aggregates}
    kinds = {d["id"]: d["kind"] for d in aggregates}
    report = backend.rebuild(_leased(chain(build_documents(app, None, stats, versions), aggregates), lease))
    lease.refresh()
    st = schema.stage_state
    demands = {rid: versions[rid] for rid in report.indexed if rid in versions}
    with store.begin() as conn:
        conn.execute(st.delete().where(st.c.stage == STAGE))
        store.mark_done(STAGE, demands, conn)
        conn.execute(schema.index_aggregates.delete())
        _record_aggregates(conn, [i for i in report.indexed if i in hashes], hashes, kinds)
    stats.indexed = len(demands)
    _count_aggregates(stats, report.indexed, kinds)
    stats.failures.update(report.failed)


def _incremental(app: Any, backend: SearchBackend, stats: IndexStats, lease: Lease) -> None:
    store = app.store
    versions: dict[str, str] = {}
    ids = store.pending(STAGE, key="version")
    stats.pending = len(ids)
    for i in range(0, len(ids), BATCH * 4):
        lease.refresh()
        part = backend.index_documents(build_documents(app, ids[i:i + BATCH * 4], stats, versions))
        store.mark_done(STAGE, {rid: versions[rid] for rid in part.indexed})
        stats.indexed += len(part.indexed)
        stats.failures.update(part.failed)
    sync_aggregates(app, backend, stats, lease)
    backend.refresh()


def index_pending(app: Any, rebuild: bool = False, backend: SearchBackend | None = None) -> IndexStats:
    """Index what changed since the last run (or everything into a fresh index with ``rebuild``).

    Refuses, writing nothing, while another index run holds the lease (``stats.locked_by``)."""
    if backend is None:
        from search.service import get_backend
        backend = get_backend(app)
    store = app.store
    stats = IndexStats(backend=backend.name, rebuild=rebuild)
    stats.run_id = store.start_run("index", source=backend.name)
    owner = f"{'rebuild' if rebuild else 'incremental'} {stats.run_id} (pid {os.getpid()} on {socket.gethostname()})"
    try:
        lease = Lease.acquire(store, LOCK, owner, LEASE)
    except LockHeld as held:
        h = held.holder
        stats.locked_by = h.as_dict()
        stats.error = (f"another index run holds the index lock since {h.acquired_at.isoformat(timespec='seconds')}: "
                       f"{h.owner}; nothing was written, pending records stay pending for the next run")
        store.finish_run(stats.run_id, stats.as_dict(), error=stats.error)
        return stats
    try:
        created = backend.ensure_ready()
        if created and not rebuild and (store.count(schema.stage_state, schema.stage_state.c.stage == STAGE)
                                        or store.count(schema.index_aggregates)):
            stats.rebuild = rebuild = True  # the index vanished behind the store's back: build it whole
        if rebuild:
            _rebuild(app, backend, stats, lease)
        else:
            _incremental(app, backend, stats, lease)
        stats.failed = len(stats.failures)
        stats.in_index = backend.count()
    except SearchUnavailable as exc:
        stats.error = str(exc)
    except LeaseLost as exc:
        stats.error = f"{exc}; this run stopped writing, the next run catches up"
    finally:
        lease.release()
    store.finish_run(stats.run_id, stats.as_dict(), error=stats.error)
    return stats
