"""Profiles (需求画像) and topics follow the store into the index: changed ones re-sent, removed ones deleted."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import select, update

from search.access import Principal
from search.query import SearchQuery
from suqiu.store import schema
from search.indexing import index_pending
from tests.search import dataset
from tests.search.conftest import make_test_backend, new_app, unique_prefix
from tests.search.dataset import HB, PROFILE_IDS, PROFILES, TOPIC_IDS, pid

OFFICE = Principal.office()
N = len(dataset.indexed_rows())
EVERY = ["demand", "profile", "topic"]


@pytest.fixture
def app(tmp_path):
    a = new_app(tmp_path)
    dataset.load(a.store)
    dataset.load_aggregates(a.store)
    yield a
    a.store.close()


def found(backend: Any, text: str = "", principal: Principal = OFFICE, **kw: Any) -> set[str]:
    return {h.id for h in backend.search(SearchQuery.create(text, size=100, facets=(), **kw), principal).hits}


def acknowledged(app: Any) -> dict[str, str]:
    t = schema.index_aggregates
    with app.store.engine.connect() as conn:
        return {r.id: r.kind for r in conn.execute(select(t.c.id, t.c.kind))}


def test_profiles_and_topics_are_indexed(app, backend):
    stats = index_pending(app, backend=backend)
    assert (stats.indexed, stats.profiles, stats.topics, stats.removed) == (N, len(PROFILES), 2, 0)
    assert found(backend, kind="profile") == PROFILE_IDS and found(backend, kind="topic") == TOPIC_IDS
    assert acknowledged(app) == {**{i: "profile" for i in PROFILE_IDS}, **{i: "topic" for i in TOPIC_IDS}}
    assert stats.in_index == N + len(PROFILE_IDS) + len(TOPIC_IDS)


def test_second_run_sends_no_profile_or_topic(app, backend):
    index_pending(app, backend=backend)
    stats = index_pending(app, backend=backend)
    assert (stats.indexed, stats.profiles, stats.topics, stats.removed) == (0, 0, 0, 0)


def test_changed_profile_is_reindexed(app, backend):
    index_pending(app, backend=backend)
    changed = [dict(p) for p in PROFILES]
    changed[0] = {**changed[0], "volume": 9, "top_keywords": ["异味", "河道"]}
    dataset.load_aggregates(app.store, changed)
    stats = index_pending(app, backend=backend)
    assert (stats.profiles, stats.topics, stats.removed) == (1, 0, 0)
    assert found(backend, "异味", kind="profile") == {pid("department", HB, "2024-W21")}
    assert backend.get(pid("department", HB, "2024-W21"), OFFICE)["heat"] == 9.0


def test_profile_gone_from_the_store_is_removed_from_the_index(app, backend):
    index_pending(app, backend=backend)
    dataset.load_aggregates(app.store, PROFILES[1:])  # the topics stage rewrote profiles without it
    stats = index_pending(app, backend=backend)
    gone = pid("department", HB, "2024-W21")
    assert (stats.profiles, stats.removed) == (0, 1)
    assert backend.get(gone, OFFICE) is None and gone not in found(backend, kind="profile")
    assert gone not in acknowledged(app)


def test_retired_topic_is_removed(app, backend):
    index_pending(app, backend=backend)
    with app.store.begin() as conn:
        conn.execute(update(schema.topics).where(schema.topics.c.id == 9).values(active=False))
    assert index_pending(app, backend=backend).removed == 1
    assert found(backend, kind="topic") == {"topic:8"}


def test_new_representative_headline_reindexes_the_topic(app, backend):
    index_pending(app, backend=backend)
    with app.store.begin() as conn:
        conn.execute(update(schema.topics).where(schema.topics.c.id == 9)
                     .values(representatives=[dataset.rid("h9"), dataset.rid("h10")]))
    assert index_pending(app, backend=backend).topics == 1
    assert found(backend, "市场门口", kind="topic") == {"topic:9"}


def test_rebuild_includes_them_and_resets_the_bookkeeping(app, backend):
    index_pending(app, backend=backend)
    from suqiu.store import now_local, to_db_time
    with app.store.begin() as conn:  # a stale entry the rebuild must forget
        conn.execute(schema.index_aggregates.insert().values(id="profile:district:x:2020-W01", kind="profile",
                                                             hash="0" * 64, indexed_at=to_db_time(now_local())))
    stats = index_pending(app, rebuild=True, backend=backend)
    assert stats.rebuild and (stats.indexed, stats.profiles, stats.topics) == (N, len(PROFILES), 2)
    assert set(acknowledged(app)) == PROFILE_IDS | TOPIC_IDS
    assert found(backend, kind=EVERY) == {dataset.rid(r["sid"]) for r in dataset.indexed_rows()} | PROFILE_IDS | TOPIC_IDS
    assert index_pending(app, backend=backend).profiles == 0


def test_index_that_vanished_gets_them_back(app, backend):
    index_pending(app, backend=backend)
    backend.drop()
    stats = index_pending(app, backend=backend)
    assert stats.rebuild and found(backend, kind="profile") == PROFILE_IDS


def test_department_profile_is_visible_to_that_department_only(app, backend):
    index_pending(app, backend=backend)
    assert found(backend, principal=Principal.for_department(HB), kind=["profile", "topic"]) == {
        pid("department", HB, "2024-W21")}
    assert found(backend, principal=Principal.for_department("教育局"), kind=["profile", "topic"]) == set()


def test_search_and_store_agree_on_a_departments_profiles(app, backend):
    """``service.list_profiles`` reads the store; the index must apply the same department rule."""
    from search.service import list_profiles
    index_pending(app, backend=backend)
    seen = {}
    for dept in (HB, "城市管理局", "教育局"):  # 城管局's profile is stored under the alias a source used
        me = Principal.for_department(dept)
        seen[dept] = {f"profile:{p['id']}" for p in list_profiles(app, me)}
        assert seen[dept] == found(backend, principal=me, kind="profile"), dept
    assert [len(v) for v in seen.values()] == [1, 1, 0]


@pytest.mark.elasticsearch
def test_elasticsearch_down_marks_no_profile_and_next_run_catches_up(app, segmenter, es_url):
    from search.backends.elasticsearch import ElasticsearchBackend
    dead = ElasticsearchBackend.from_url("http://127.0.0.1:9", unique_prefix(), segmenter, timeout=2)
    stats = index_pending(app, backend=dead)
    assert stats.error and stats.profiles == 0 and acknowledged(app) == {}
    live = make_test_backend(app, "elasticsearch", segmenter, es_url)
    try:
        stats = index_pending(app, backend=live)
        assert stats.ok and (stats.profiles, stats.topics) == (len(PROFILES), 2)
    finally:
        live.drop()


def test_topics_stage_profiles_are_indexed(app, backend):
    """Profiles as the topics stage really builds them (every dimension) go in whole, masked only."""
    from nlp.stages.views import ViewsStage
    built = ViewsStage().run(app).profiles
    stats = index_pending(app, backend=backend)
    assert stats.profiles == built > len(PROFILES)
    assert len(found(backend, kind="profile")) == built
    blob = repr([backend.get(i, OFFICE) for i in found(backend, kind="profile")])
    assert "13812345678" not in blob and "350102199001011234" not in blob
    # a department sees exactly its own department-dimension profiles, one per week it had demands
    mine = found(backend, principal=Principal.for_department(HB), kind="profile")
    assert mine and all(i.startswith(f"profile:department:{HB}:") for i in mine)


# --------------------------------------------------------------------------- indices made by older versions
OLD_EMBEDDED_SCHEMA = """
CREATE TABLE docs (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    kind TEXT, source TEXT, channel TEXT, received_at TEXT, district TEXT, department TEXT, category TEXT,
    status TEXT, sentiment TEXT, urgency TEXT, topic INTEGER, heat REAL, due_at TEXT, open INTEGER,
    doc TEXT NOT NULL
);
CREATE VIRTUAL TABLE fts USING fts5(seg, chars, tokenize = 'unicode61 remove_diacritics 0');
"""


def test_older_embedded_index_gains_the_columns_and_is_rebuilt(app, segmenter):
    from search.service import embedded_path
    path = embedded_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_EMBEDDED_SCHEMA)
    app.store.mark_done("index", {dataset.rid("h1"): "1"})  # the store believes h1 is indexed
    backend = make_test_backend(app, "embedded", segmenter)
    try:
        stats = index_pending(app, backend=backend)
        assert stats.rebuild and stats.ok and stats.indexed == N
        assert found(backend, kind="profile", week="2024-W23") == {pid("district", "台江区", "2024-W23")}
    finally:
        backend.drop()


@pytest.mark.elasticsearch
def test_older_elasticsearch_index_gains_the_fields_in_place(app, segmenter, es_url):
    from search.mappings import ADDED_FIELDS, demand_mappings, demand_settings, versioned_name
    backend = make_test_backend(app, "elasticsearch", segmenter, es_url)
    try:
        old = demand_mappings()
        for name in ADDED_FIELDS:
            del old["properties"][name]
        name = versioned_name(backend.prefix)
        backend.client.indices.create(index=name, mappings=old, settings=demand_settings())
        backend.client.indices.put_alias(index=name, name=backend.alias)
        assert index_pending(app, backend=backend).ok
        assert backend._alias_targets() == [name]  # the same index, not a rebuild
        props = backend.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
        assert props["week"] == {"type": "keyword"} and props["dimension"] == {"type": "keyword"}
        assert found(backend, kind="profile", week="2024-W23") == {pid("district", "台江区", "2024-W23")}
    finally:
        backend.drop()
