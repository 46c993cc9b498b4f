"""Indexing from the store loses nothing: pending tracking, masked text only, outages, rebuilds."""

from __future__ import annotations

from typing import Any

import pytest

from search.access import Principal
from search.query import SearchQuery
from suqiu.store import schema
from search.indexing import STAGE, index_pending
from tests.search import dataset
from tests.search.conftest import make_test_backend, new_app

OFFICE = Principal.office()
N = len(dataset.indexed_rows())


@pytest.fixture
def app(tmp_path):
    a = new_app(tmp_path)
    dataset.load(a.store)
    yield a
    a.store.close()


def total(backend: Any, text: str = "", **kw: Any) -> int:
    return backend.search(SearchQuery.create(text, size=0, facets=(), **kw), OFFICE).total


def test_first_run_indexes_every_analysed_record(app, backend):
    stats = index_pending(app, backend=backend)
    assert (stats.indexed, stats.waiting_analysis, stats.error) == (N, 1, None)
    assert total(backend) == N


def test_second_run_has_nothing_to_do(app, backend):
    index_pending(app, backend=backend)
    stats = index_pending(app, backend=backend)
    assert stats.indexed == 0 and stats.pending == 1  # only the un-analysed record waits


def test_a_status_change_is_reindexed(app, backend):
    index_pending(app, backend=backend)
    app.store.set_fields(dataset.rid("h3"), {"status": "replied"}, origin="test")
    stats = index_pending(app, backend=backend)
    assert stats.indexed == 1
    assert total(backend, "停水", status="replied") == 1


def test_analysis_arriving_later_is_indexed(app, backend):
    from suqiu.model import Analysis
    index_pending(app, backend=backend)
    app.store.save_analysis([Analysis(record_id=dataset.rid("h11"), masked_text="噪音投诉，我的电话[手机号]")])
    assert index_pending(app, backend=backend).indexed == 1
    assert total(backend, "投诉") == 1 and total(backend, "13900001111") == 0


def test_index_holds_masked_text_only(app, backend):
    index_pending(app, backend=backend)
    docs = [backend.get(dataset.rid(r["sid"]), OFFICE) for r in dataset.indexed_rows()]
    blob = repr(docs)
    assert "13812345678" not in blob and "350102199001011234" not in blob and "[身份证号]" in blob


def test_rebuild_gives_the_same_answers(app, backend):
    index_pending(app, backend=backend)
    before = total(backend, "噪音")
    stats = index_pending(app, rebuild=True, backend=backend)
    assert stats.rebuild and stats.indexed == N and stats.in_index == N
    assert total(backend, "噪音") == before


def test_index_that_vanished_is_rebuilt(app, backend):
    index_pending(app, backend=backend)
    backend.drop()
    stats = index_pending(app, backend=backend)
    assert stats.rebuild and total(backend) == N


def test_runs_are_recorded(app, backend):
    index_pending(app, backend=backend)
    run = app.store.recent_runs(1)[0]
    assert run["kind"] == "index" and run["status"] == "ok" and run["stats"]["indexed"] == N


@pytest.mark.elasticsearch
def test_rebuild_swaps_the_alias_to_a_new_version(app, segmenter, es_url):
    backend = make_test_backend(app, "elasticsearch", segmenter, es_url)
    try:
        index_pending(app, backend=backend)
        first = backend._alias_targets()
        index_pending(app, rebuild=True, backend=backend)
        second = backend._alias_targets()
        assert len(first) == len(second) == 1 and first != second
        assert not backend.client.indices.exists(index=first[0])  # the old version is gone
    finally:
        backend.drop()


@pytest.mark.elasticsearch
def test_elasticsearch_down_says_so_and_next_run_catches_up(app, segmenter, es_url):
    from search.backends.elasticsearch import ElasticsearchBackend
    dead = ElasticsearchBackend.from_url("http://127.0.0.1:9", make_prefix(), segmenter, timeout=2)
    stats = index_pending(app, backend=dead)
    assert stats.error and "unreachable" in stats.error and stats.indexed == 0
    assert app.store.count(schema.stage_state, schema.stage_state.c.stage == STAGE) == 0
    assert app.store.recent_runs(1)[0]["status"] == "failed"
    live = make_test_backend(app, "elasticsearch", segmenter, es_url)
    try:
        stats = index_pending(app, backend=live)
        assert stats.ok and stats.indexed == N and total(live) == N
    finally:
        live.drop()


def make_prefix() -> str:
    from tests.search.conftest import unique_prefix
    return unique_prefix()


@pytest.mark.elasticsearch
def test_cjk_is_probed_not_required(app, segmenter, es_url):
    backend = make_test_backend(app, "elasticsearch", segmenter, es_url)
    try:
        caps = backend.capabilities()
        assert set(caps) == {"cjk", "reindex"}
        index_pending(app, backend=backend)  # works whether or not the server has them
        assert total(backend, "噪音") == 3
    finally:
        backend.drop()
