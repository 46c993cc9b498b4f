"""Two workers against one PostgreSQL and one Elasticsearch: two pipeline runs at once, on two
homes (two machines: neither has a configuration file, both read the one published in the store),
over overlapping input, end with every record once, analysed once, routed once, and in the index
once at its current version."""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from crawlers.fixture_site import serve_fixture_site
from flows.demo import write_hotline_export
from suqiu.installation import Installation, publish_config, write_default_config
from suqiu.store import schema
from tests.conftest import fresh_pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.elasticsearch, pytest.mark.slow]

SIZES = {"n_board": 10, "n_gbk": 10, "n_reviews": 16, "n_open311": 24}
INPUTS = {"a": {"sources": ["open311", "reviews"]}, "b": {"sources": ["open311"]}}  # open311 and the export: both


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, prefect_harness, pg_url, es_url):
    """The two runs, done once for the module: what each returned, the store and the index."""
    from search.es_client import connect
    root = tmp_path_factory.mktemp("two-workers")
    export = root / "export.xlsx"
    write_hotline_export(export, 40, seed=3)
    prefix = f"suqiutest-{uuid.uuid4().hex[:8]}"
    with fresh_pg_database(pg_url, "two_workers") as url, serve_fixture_site(slow_s=0.05, **SIZES) as site:
        env = {"SUQIU_STORE_URL": url, "SUQIU__FIXTURE_SITE__PORT": str(site.port)}
        office = root / "office"
        write_default_config(office)
        text = (office / "suqiu.toml").read_text(encoding="utf-8")
        for old, new in (('backend = "embedded"', 'backend = "elasticsearch"'),
                         ('index_prefix = "suqiu"', f'index_prefix = "{prefix}"'),
                         ('url = "http://127.0.0.1:9200"', f'url = "{es_url}"')):
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (office / "suqiu.toml").write_text(text, encoding="utf-8")
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            inst = Installation.load(office)
            publish_config(inst)
            results = _at_once({name: root / name for name in INPUTS}, export)
            yield {"results": results, "url": url, "config": Installation.load(root / "a").config,
                   "client": connect(es_url), "prefix": prefix}
        finally:
            for k, v in saved.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
            client = connect(es_url)
            for name in client.indices.get(index=f"{prefix}-*"):
                client.indices.delete(index=name)
            if client.indices.exists_index_template(name=f"{prefix}-demands"):
                client.indices.delete_index_template(name=f"{prefix}-demands")


def _at_once(homes: dict[str, Path], export: Path) -> dict[str, dict]:
    from flows.pipeline import pipeline
    barrier, results, errors = threading.Barrier(len(homes)), {}, []

    def worker(name: str, home: Path) -> None:
        home.mkdir()
        try:
            barrier.wait()
            results[name] = {"home": str(home), **pipeline(home=str(home), files=[str(export)], period="week",
                                                           report=False, **INPUTS[name])}
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=item) for item in homes.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(900)
    assert not errors, errors
    return results


def _query(url: str, q):
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    engine.dispose()
    return rows


def _new(result: dict) -> int:
    ing = result["ingest"]
    return sum(s.get("new", 0) for s in ing["crawl"].values()) + sum(s["new"] for s in ing["import"].values())


def test_the_workers_ran_on_the_published_configuration(cluster):
    assert cluster["config"].search.backend == "elasticsearch"
    assert cluster["config"].search.elasticsearch.index_prefix == cluster["prefix"]
    assert not any((Path(r["home"]) / "suqiu.toml").exists() for r in cluster["results"].values())


def test_every_record_is_stored_once(cluster):
    total = _query(cluster["url"], select(func.count()).select_from(schema.records))[0][0]
    assert total > 60
    assert sum(_new(r) for r in cluster["results"].values()) == total  # each record new to one worker only


def test_every_record_is_analysed_once(cluster):
    total = _query(cluster["url"], select(func.count()).select_from(schema.records))[0][0]
    assert sum(r["analyze"]["analyzed"] for r in cluster["results"].values()) == total
    st = schema.stage_state
    done = dict(_query(cluster["url"], select(st.c.stage, func.count()).group_by(st.c.stage)))
    assert done["analyze"] == done["classify"] == done["index"] == total


def test_no_change_is_recorded_twice(cluster):
    h = schema.record_history
    rows = _query(cluster["url"], select(h.c.record_id, h.c.field, h.c.old_value, h.c.new_value, h.c.origin))
    assert rows and not [k for k, n in Counter(rows).items() if n > 1]
    routed = _query(cluster["url"], select(schema.digest_items.c.record_id))
    assert not [k for k, n in Counter(routed).items() if n > 1]  # no demand in two digests


def test_every_record_is_indexed_once_at_its_current_version(cluster):
    """Each record is in the index once, at the version the store holds. One run may send a record
    that the other run had sent already, but only after the record changed in between (the other
    worker's topics or routing can bump its version). So there are never more sends than versions."""
    total = _query(cluster["url"], select(func.count()).select_from(schema.records))[0][0]
    client, alias = cluster["client"], f"{cluster['prefix']}-demands"
    client.indices.refresh(index=alias)
    assert client.count(index=alias, query={"term": {"kind": "demand"}})["count"] == total
    rec, st = schema.records, schema.stage_state
    versions = {rid: str(v) for rid, v in _query(cluster["url"], select(rec.c.id, rec.c.version))}
    indexed_at = dict(_query(cluster["url"], select(st.c.record_id, st.c.input_key).where(st.c.stage == "index")))
    assert indexed_at == versions
    sends = sum(r["index"]["indexed"] for r in cluster["results"].values())
    assert total <= sends <= sum(int(v) for v in versions.values())
