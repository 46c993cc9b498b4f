"""One index run at a time: the store lease keeps an incremental run out while a rebuild fills a new index."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from search.access import Principal
from search.query import SearchQuery
from suqiu.store import schema
from search.indexing import LEASE, LOCK, STAGE, index_pending
from suqiu.store.locks import Lease, LeaseLost, LockHeld, holder
from suqiu.store import now_local, to_db_time
from tests.search import dataset
from tests.search.conftest import new_app, unique_prefix

OFFICE = Principal.office()
N = len(dataset.indexed_rows())


@pytest.fixture
def app(tmp_path):
    a = new_app(tmp_path)
    dataset.load(a.store)
    dataset.load_aggregates(a.store)
    yield a
    a.store.close()


def expire(store: Any, name: str = LOCK) -> None:
    """The holder died an hour ago: its lease ran out."""
    with store.begin() as conn:
        conn.execute(update(schema.locks).where(schema.locks.c.name == name)
                     .values(expires_at=to_db_time(now_local() - timedelta(hours=1))))


def indexed_marks(store: Any) -> int:
    return store.count(schema.stage_state, schema.stage_state.c.stage == STAGE) + store.count(schema.index_aggregates)


# --------------------------------------------------------------------------- the lease itself
def test_second_taker_is_told_who_holds_it_since_when(store):
    first = Lease.acquire(store, "x", "run A", timedelta(minutes=5))
    with pytest.raises(LockHeld) as exc:
        Lease.acquire(store, "x", "run B", timedelta(minutes=5))
    assert exc.value.holder.owner == "run A" and "run A" in str(exc.value) and "since" in str(exc.value)
    first.release()
    Lease.acquire(store, "x", "run B", timedelta(minutes=5)).release()
    assert holder(store, "x") is None


def test_leases_of_other_names_do_not_collide(store):
    with Lease.acquire(store, "x", "run A", timedelta(minutes=5)):
        Lease.acquire(store, "y", "run B", timedelta(minutes=5)).release()


def test_expired_lease_is_taken_over(store):
    Lease.acquire(store, "x", "dead run", timedelta(minutes=5))
    expire(store, "x")
    with Lease.acquire(store, "x", "run B", timedelta(minutes=5)):
        assert holder(store, "x").owner == "run B"


def test_refresh_extends_the_lease(store):
    lease = Lease.acquire(store, "x", "run A", timedelta(minutes=5))
    expire(store, "x")
    lease.refresh()
    assert holder(store, "x").expires_at > now_local() + timedelta(minutes=4)
    with pytest.raises(LockHeld):
        Lease.acquire(store, "x", "run B", timedelta(minutes=5))
    lease.release()


def test_a_holder_whose_lease_was_taken_stops_and_leaves_the_new_one(store):
    stalled = Lease.acquire(store, "x", "run A", timedelta(minutes=5))
    expire(store, "x")
    taker = Lease.acquire(store, "x", "run B", timedelta(minutes=5))
    with pytest.raises(LeaseLost, match="run B"):
        stalled.refresh()
    stalled.release()
    assert holder(store, "x").owner == "run B"
    taker.release()


# --------------------------------------------------------------------------- index runs
def test_held_lock_refuses_an_incremental_run_and_writes_nothing(app, segmenter):
    from search.backends.embedded import EmbeddedBackend
    from search.service import embedded_path
    other = Lease.acquire(app.store, LOCK, "rebuild index-other (pid 1 on elsewhere)", LEASE)
    stats = index_pending(app, backend=EmbeddedBackend(embedded_path(app), segmenter))
    assert not stats.ok and stats.indexed == 0 and stats.profiles == 0
    assert stats.locked_by["owner"].startswith("rebuild index-other")
    assert "another index run holds the index lock since" in stats.error
    assert indexed_marks(app.store) == 0 and len(app.store.pending(STAGE, key="version")) == N + 1
    assert not embedded_path(app).exists()  # the engine was not touched at all
    run = app.store.recent_runs(1)[0]
    assert run["status"] == "failed" and "lock" in run["error"]
    assert holder(app.store, LOCK).owner == other.owner  # the refused run did not release someone else's lease
    other.release()
    assert index_pending(app, backend=EmbeddedBackend(embedded_path(app), segmenter)).indexed == N


def test_expired_index_lease_is_taken_over(app, segmenter):
    from search.backends.embedded import EmbeddedBackend
    from search.service import embedded_path
    Lease.acquire(app.store, LOCK, "incremental index-died", LEASE)
    expire(app.store)
    stats = index_pending(app, backend=EmbeddedBackend(embedded_path(app), segmenter))
    assert stats.ok and stats.indexed == N
    assert holder(app.store, LOCK) is None  # released at the end


@pytest.mark.elasticsearch
def test_lock_is_released_when_the_engine_is_down(app, segmenter, es_url):
    from search.backends.elasticsearch import ElasticsearchBackend
    dead = ElasticsearchBackend.from_url("http://127.0.0.1:9", unique_prefix(), segmenter, timeout=2)
    assert index_pending(app, backend=dead).error
    assert holder(app.store, LOCK) is None


def pausing(base: type) -> type:
    """A real backend whose rebuild stops after the first document until told to go on
    (a long rebuild, made observable)."""

    class Pausing(base):  # type: ignore[misc, valid-type]
        on_first_document: Any = None

        def rebuild(self, docs):
            return super().rebuild(self._pause(docs))

        def _pause(self, docs):
            for n, doc in enumerate(docs):
                yield doc
                if n == 0 and self.on_first_document is not None:
                    self.on_first_document()

    return Pausing


def twin_backends(app: Any, kind: str, segmenter: Any, es_url: str | None) -> tuple[Any, Any]:
    """Two backend objects over the same index (two processes): the first pauses its rebuilds."""
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend
        from search.service import embedded_path
        return (pausing(EmbeddedBackend)(embedded_path(app), segmenter),
                EmbeddedBackend(embedded_path(app), segmenter))
    from search.backends.elasticsearch import ElasticsearchBackend
    prefix = unique_prefix()
    return (pausing(ElasticsearchBackend).from_url(es_url, prefix, segmenter, timeout=20),
            ElasticsearchBackend.from_url(es_url, prefix, segmenter, timeout=20))


def total(backend: Any, text: str = "", **kw: Any) -> int:
    return backend.search(SearchQuery.create(text, size=0, facets=(), **kw), OFFICE).total


@pytest.mark.parametrize("kind", ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_incremental_run_during_a_rebuild_writes_nothing_and_the_next_catches_up(app, segmenter, request, kind):
    es_url = request.getfixturevalue("es_url") if kind == "elasticsearch" else None
    rebuilder, other = twin_backends(app, kind, segmenter, es_url)
    try:
        assert index_pending(app, backend=other).ok
        started, go = threading.Event(), threading.Event()
        rebuilder.on_first_document = lambda: (started.set(), go.wait(60))
        done: dict[str, Any] = {}
        worker = threading.Thread(target=lambda: done.update(stats=index_pending(app, rebuild=True, backend=rebuilder)))
        worker.start()
        try:
            assert started.wait(60), "the rebuild never started"
            # the store changes while the rebuild works from its snapshot
            app.store.set_fields(dataset.rid("h3"), {"status": "replied"}, origin="test")
            during = index_pending(app, backend=other)
        finally:
            go.set()
            worker.join(120)
        assert during.indexed == 0 and during.locked_by and during.locked_by["owner"].startswith("rebuild ")
        assert done["stats"].ok and done["stats"].indexed == N
        # the rebuild indexed h3 as it read it, so the change is still pending, not lost
        assert dataset.rid("h3") in app.store.pending(STAGE, key="version")
        after = index_pending(app, backend=other)
        assert after.ok and after.indexed == 1
        assert total(other, "停水", status="replied") == 1
    finally:
        other.drop()
        other.close()
        rebuilder.close()


@pytest.mark.parametrize("kind", ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_rebuild_that_loses_its_lease_does_not_swap_in(app, segmenter, request, kind):
    es_url = request.getfixturevalue("es_url") if kind == "elasticsearch" else None
    rebuilder, other = twin_backends(app, kind, segmenter, es_url)
    try:
        assert index_pending(app, backend=other).ok
        before = other._alias_targets() if kind == "elasticsearch" else None
        app.store.set_fields(dataset.rid("h3"), {"status": "replied"}, origin="test")

        def stall_past_the_lease() -> None:  # the rebuild hangs; its lease runs out and another run takes it
            expire(app.store)
            Lease.acquire(app.store, LOCK, "incremental index-newer", LEASE)

        rebuilder.on_first_document = stall_past_the_lease
        stats = index_pending(app, rebuild=True, backend=rebuilder)
        assert stats.error and "taken by incremental index-newer" in stats.error
        assert holder(app.store, LOCK).owner == "incremental index-newer"
        if kind == "elasticsearch":
            assert other._alias_targets() == before  # the half-made index was dropped, not swapped in
        assert total(other, "停水", status="replied") == 0 and total(other) == N
        assert dataset.rid("h3") in app.store.pending(STAGE, key="version")
    finally:
        other.drop()
        other.close()
        rebuilder.close()


def test_cli_index_refuses_while_locked(home, segmenter, monkeypatch):
    from typer.testing import CliRunner

    from suqiu.installation import Installation
    from suqiu.cli import app as cli
    monkeypatch.setattr("search.service.default_segmenter", lambda config=None: segmenter)
    installation = Installation.load(home)
    Lease.acquire(installation.store, LOCK, "rebuild index-20261122T010203-abc123 (pid 7 on host)", LEASE)
    installation.store.close()
    out = CliRunner().invoke(cli, ["index", "--json"])
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert doc["locked_by"]["owner"].startswith("rebuild ") and doc["indexed"] == 0
    out = CliRunner().invoke(cli, ["index"])
    assert out.exit_code == 1
    assert "另一个索引任务" in out.output and "重建" in out.output and "下次运行" in out.output
