"""Writers at once, and text the engines refuse, on SQLite and PostgreSQL alike.

Each writer is its own ``Store`` (its own engine and connections), as two workers would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from suqiu.installation import Installation
from suqiu.model import Analysis, build_demand
from suqiu.store import Store, schema


@pytest.fixture
def url(home, engine_url, monkeypatch) -> str:
    if engine_url:
        monkeypatch.setenv("SUQIU_STORE_URL", engine_url)
    inst = Installation.load(home)
    inst.store.close()  # created: the schema is there before the writers start
    return inst.store_url


def _d(i: int, **kw: Any):
    base = {"source": "hotline", "source_id": f"GD-{i}", "received_at": "2026-11-20 09:30:00",
            "title": "噪音扰民", "content": f"工地夜间施工噪音扰民，第{i}号工单。", "channel": "电话"}
    return build_demand({**base, **kw})


def _at_once(url: str, work: list[Callable[[Store], Any]]) -> list[Any]:
    """Run each piece of work on its own store in its own thread, released together."""
    barrier, results, errors = threading.Barrier(len(work)), [None] * len(work), []

    def run(i: int) -> None:
        store = Store.open(url)
        try:
            barrier.wait()
            results[i] = work[i](store)
        except Exception as exc:  # reported below: a writer must never fail
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_two_importers_of_overlapping_demands_store_each_once(url):
    first = [_d(i) for i in range(0, 300)]
    second = [_d(i) for i in range(150, 450)]  # half of it the other importer's too
    results = _at_once(url, [lambda s: s.upsert(first, batch=40), lambda s: s.upsert(second, batch=40)])
    store = Store.open(url)
    assert store.count() == 450
    assert sum(r.new for r in results) == 450 and sum(r.unchanged for r in results) == 150
    assert store.count(schema.record_history) == 0
    store.close()


def test_two_importers_of_one_change_record_it_once(url):
    store = Store.open(url)
    store.upsert([_d(i) for i in range(100)])
    replied = [_d(i, status="replied", reply_text="已责令停工") for i in range(100)]
    results = _at_once(url, [lambda s: s.upsert(replied, batch=30), lambda s: s.upsert(list(reversed(replied)), batch=30)])
    assert sum(r.updated for r in results) == 100 and sum(r.unchanged for r in results) == 100
    assert {store.get(f"hotline:GD-{i}")["version"] for i in range(100)} == {2}
    h = schema.record_history
    assert store.count(h, h.c.field == "status") == 100
    store.close()


def test_quarantine_of_one_row_by_two_workers_keeps_one(url):
    rows = [{"工单编号": str(i), "内容": ""} for i in range(50)]

    def work(s: Store) -> int:
        return sum(s.quarantine("import", "content: empty", r, source_ref=f"a.csv:{i}") for i, r in enumerate(rows))

    assert sum(_at_once(url, [work, work, work])) == 50
    assert sum(_at_once(url, [work, work])) == 0
    store = Store.open(url)
    assert store.count(schema.quarantine) == 50
    store.close()


def test_analysis_saved_by_two_writers_is_one_row_each(url):
    store = Store.open(url)
    store.upsert([_d(i) for i in range(60)])
    items = [Analysis(record_id=f"hotline:GD-{i}", tokens=["噪音"], normalized_text="x") for i in range(60)]
    _at_once(url, [lambda s: s.save_analysis(items, stage="analyze", batch=25),
                   lambda s: s.save_analysis(list(reversed(items)), stage="analyze", batch=25)])
    assert store.count(schema.analysis) == 60 and store.done_count("analyze") == 60
    assert store.pending("analyze") == []
    store.close()


def test_nul_and_lone_surrogates_are_stripped_the_same_on_both_engines(url):
    """NUL is stripped from demands, quarantined payloads and analysis; lone surrogates become U+FFFD."""
    store = Store.open(url)
    d = _d(1, title="噪音\x00扰民", content="夜间施工\x00噪音扰民。", address="仓山区\x00某路")
    assert store.upsert([d]).new == 1
    row = store.get("hotline:GD-1")
    assert (row["title"], row["content"], row["address"]) == ("噪音扰民", "夜间施工噪音扰民。", "仓山区某路")
    assert store.upsert([d]).unchanged == 1  # the same raw input is the same record
    assert store.quarantine("import", "content: bad\x00", {"内容": "x\x00y", "k": "\udcff"}, source_ref="a.csv:\x002")
    kept = store.quarantined()[0]
    assert "\x00" not in kept["payload"] + kept["reason"] + kept["source_ref"] and "\ufffd" in kept["payload"]
    store.save_analysis([Analysis(record_id="hotline:GD-1", tokens=["噪\x00音"], masked_text="a\x00b")])
    got = store.get_analysis("hotline:GD-1")
    assert got.masked_text == "ab" and got.tokens == ["噪\x00音"]  # JSON escapes NUL, which both engines keep
    store.close()


def test_a_source_id_with_nul_and_text_with_lone_surrogates_are_refused_as_input():
    """Refused rows are quarantined (with their raw payload, which the store then cleans)."""
    from suqiu.model import RecordError
    with pytest.raises(RecordError, match="source_id"):
        _d(1, source_id="GD\x001")
    with pytest.raises(RecordError, match="content"):
        _d(1, content="噪音\ud800扰民")


@pytest.mark.postgres
def test_pool_size_comes_from_the_configuration(home, pg_test_url, monkeypatch):
    monkeypatch.setenv("SUQIU_STORE_URL", pg_test_url)
    monkeypatch.setenv("SUQIU__STORE__POOL_SIZE", "3")
    monkeypatch.setenv("SUQIU__STORE__MAX_OVERFLOW", "1")
    inst = Installation.load(home)
    pool = inst.store.engine.pool
    held = [inst.store.engine.connect() for _ in range(4)]
    try:
        assert pool.size() == 3 and pool.overflow() == 1
    finally:
        for conn in held:
            conn.close()
        inst.store.close()
