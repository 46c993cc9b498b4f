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
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from itertools import chain
from typing import Any

from nlp.stages.topics import list_topics
from search.backends.base import SearchBackend, SearchUnavailable
from search.documents import demand_document, profile_document, topic_document
from search.prepare import segmenting
from search.service import get_backend
from suqiu.deadlines import due_at
from suqiu.installation import Installation
from suqiu.logs import run_context
from suqiu.store import INDEX_STAGE as STAGE
from suqiu.store.locks import Lease, LeaseLost, LockHeld

log = logging.getLogger(__name__)
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


def build_documents(app: Installation, ids: Sequence[str] | None, stats: IndexStats,
                    versions: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Documents for ``ids`` (None: every record), batch by batch; un-analysed ones are counted, not indexed."""
    store, batch = app.store, []

    def flush(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        ids_ = [r["id"] for r in rows]
        analyses, owners = store.analyses(ids_), store.owners_of(app.config, ids_)
        overrides = store.due_overrides(ids_)
        sizes = store.dup_sizes(a.dup_group for a in analyses.values() if a.dup_group)
        for rec in rows:
            a, owner = analyses.get(rec["id"]), owners.get(rec["id"])
            urgency = a.urgency_level.value if a is not None and a.urgency_level else None
            doc = demand_document(rec, a, owner=owner, dup_size=sizes.get(a.dup_group, 1) if a and a.dup_group else 1,
                                  due_at=due_at(app.config, rec["received_at"], owner, rec.get("category_given"), urgency,
                                                overrides.get(rec["id"])))
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


def aggregate_documents(app: Installation) -> list[dict[str, Any]]:
    """Every profile and every active topic as index documents, built from the store now."""
    docs = [profile_document({**(r["data"] if isinstance(r["data"], dict) else {}), "id": r["id"],
                              "dimension": r["dimension"], "value": r["value"], "week": r["week"],
                              "volume": r["volume"]}, config=app.config)
            for r in sorted(app.store.profile_rows(), key=lambda r: r["id"])]
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


def sync_aggregates(app: Installation, backend: SearchBackend, stats: IndexStats, lease: Lease) -> None:
    """Send the profiles and topics whose document changed; delete the ones that left the store."""
    docs = aggregate_documents(app)
    hashes = {d["id"]: document_hash(d) for d in docs}
    kinds = {d["id"]: d["kind"] for d in docs}
    known = app.store.aggregate_hashes()
    changed = [d for d in docs if known.get(d["id"]) != hashes[d["id"]]]
    for i in range(0, len(changed), BATCH):
        lease.refresh()
        part = backend.index_documents(changed[i:i + BATCH])
        app.store.acknowledge_aggregates(part.indexed, hashes, kinds)
        _count_aggregates(stats, part.indexed, kinds)
        stats.failures.update(part.failed)
    gone = sorted(set(known) - set(hashes))
    if gone:
        lease.refresh()
        report = backend.delete_documents(gone)
        app.store.forget_aggregates(report.removed)
        stats.removed = len(report.removed)
        stats.failures.update(report.failed)


def _leased(docs: Iterable[dict[str, Any]], lease: Lease) -> Iterator[dict[str, Any]]:
    """Refresh the lease every ``BATCH`` documents and once more when the stream ends, which is
    before the engine swaps the new index in: a rebuild that lost its lease fails before the swap."""
    for n, doc in enumerate(docs):
        if n % BATCH == 0:
            lease.refresh()   # also the run's heartbeat (the lease is held for it)
        yield doc
    lease.refresh()


def _rebuild(app: Installation, backend: SearchBackend, stats: IndexStats, lease: Lease) -> None:
    """Everything into a fresh index (swapped in at the end); then the store's bookkeeping is reset
    to exactly what that index acknowledged, at the versions and hashes it was built from."""
    store = app.store
    versions: dict[str, str] = {}
    stats.pending = store.count()
    aggregates = aggregate_documents(app)
    hashes = {d["id"]: document_hash(d) for d in aggregates}
    kinds = {d["id"]: d["kind"] for d in aggregates}
    with segmenting(backend.segmenter, stats.pending) as seg:
        docs = chain(seg.apply(build_documents(app, None, stats, versions)), aggregates)
        report = backend.rebuild(_leased(docs, lease))
    lease.refresh()
    demands = {rid: versions[rid] for rid in report.indexed if rid in versions}
    store.reset_index_state(demands, [i for i in report.indexed if i in hashes], hashes, kinds)
    stats.indexed = len(demands)
    _count_aggregates(stats, report.indexed, kinds)
    stats.failures.update(report.failed)


def _incremental(app: Installation, backend: SearchBackend, stats: IndexStats, lease: Lease,
                 only: Sequence[str] | None = None) -> None:
    store = app.store
    versions: dict[str, str] = {}
    ids = store.pending(STAGE, key="version", ids=only)
    stats.pending = len(ids)
    with segmenting(backend.segmenter, len(ids)) as seg:
        for i in range(0, len(ids), BATCH * 4):
            lease.refresh()
            part = backend.index_documents(seg.apply(build_documents(app, ids[i:i + BATCH * 4], stats, versions)))
            store.mark_done(STAGE, {rid: versions[rid] for rid in part.indexed})
            stats.indexed += len(part.indexed)
            stats.failures.update(part.failed)
    if only is None:
        sync_aggregates(app, backend, stats, lease)
    backend.refresh()


def index_records(app: Installation, ids: Sequence[str], backend: SearchBackend | None = None) -> IndexStats:
    """Index these records now if they changed (a reassignment must reach search at once).

    Best effort: when the engine is down or another run holds the index, they stay pending for the
    next ``suqiu index`` (search meanwhile checks a department's hits against the store's owner)."""
    return index_pending(app, backend=backend, only=list(ids))


def index_pending(app: Installation, rebuild: bool = False, backend: SearchBackend | None = None,
                  only: Sequence[str] | None = None, wait: timedelta | None = None) -> IndexStats:
    """Index what changed since the last run (or everything into a fresh index with ``rebuild``).

    Refuses, writing nothing, while another index run holds the lease (``stats.locked_by``); with
    ``wait`` it waits that long for the lease first (a scheduled run then indexes what is left)."""
    backend = backend or get_backend(app)
    store = app.store
    stats = IndexStats(backend=backend.name, rebuild=rebuild)
    stats.run_id = store.start_run("index", source=backend.name)
    with run_context(stats.run_id):   # every line logged during the run carries its id
        return _leased_run(app, backend, stats, rebuild, only, wait)


def _leased_run(app: Installation, backend: SearchBackend, stats: IndexStats, rebuild: bool,
                only: Sequence[str] | None, wait: timedelta | None) -> IndexStats:
    store = app.store
    owner = f"{'rebuild' if rebuild else 'incremental'} {stats.run_id}"   # the lease row keeps host and pid
    try:
        lease = Lease.acquire(store, LOCK, owner, LEASE, wait=wait, run_id=stats.run_id)
    except LockHeld as held:
        h = held.holder
        stats.locked_by = h.as_dict()
        stats.error = (f"another index run holds the index lock since {h.acquired_at.isoformat(timespec='seconds')}: "
                       f"{h.owner}; nothing was written, pending records stay pending for the next run")
        store.finish_run(stats.run_id, stats.as_dict(), error=stats.error)
        return stats
    try:
        created = backend.ensure_ready()
        if created and not rebuild and not store.index_state_empty():
            stats.rebuild = rebuild = True  # the index vanished behind the store's back: build it whole
        if rebuild:
            _rebuild(app, backend, stats, lease)
        else:
            _incremental(app, backend, stats, lease, only)
        stats.failed = len(stats.failures)
        stats.in_index = backend.count()
    except SearchUnavailable as exc:
        stats.error = str(exc)
    except LeaseLost as exc:
        stats.error = f"{exc}; this run stopped writing, the next run catches up"
    finally:
        lease.release()
    store.finish_run(stats.run_id, stats.as_dict(), error=stats.error)
    log.info("index: %s indexed, %s failed%s", stats.indexed, stats.failed, f", {stats.error}" if stats.error else "")
    return stats
