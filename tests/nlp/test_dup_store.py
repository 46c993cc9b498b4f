"""The text stage's near-duplicate groups read the history from the store by key (``nlp.stages.dup_store``)
and come out as ``DupIndex`` over the whole history loaded in memory would make them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import inspect, select

from crawlers.corpus import iter_corpus
from crawlers.corpus.generator import shipped_config
from nlp.dedup import DupIndex, MinHasher
from nlp.stages.dup_store import BANDS_KEY, open_dup_index, signed
from nlp.stages.text import TextStage
from nlp.text_pipeline import TextPipeline
from suqiu.model import build_demand
from suqiu.state import shared_state
from suqiu.store import schema


@pytest.fixture
def app(engine_app):
    """Each test here on both engines."""
    return engine_app


@pytest.fixture(scope="module")
def pipelines():
    """The shipped configuration's pipeline at the usual threshold and at a loose one (many merges)."""
    import tomllib

    from suqiu.config import default_config_text, parse_config
    base = TextPipeline.from_config(parse_config(tomllib.loads(default_config_text()))).warm()
    loose = TextPipeline(segmenter=base.segmenter, places=base.places, keywords=base.keywords, dup_threshold=0.3)
    return {0.6: base, 0.3: loose}


def _days(n: int = 330) -> list[list]:
    """A seeded corpus (about 7.5% resubmissions) cut into three imports by time."""
    demands = [build_demand(r) for r, _ in iter_corpus(n, 5, config=shipped_config())]
    return [demands[:200], demands[200:270], demands[270:]]


def _signature_rows(store) -> list:
    """Every analysed record, oldest first, with its group and signature (what ``DupIndex`` loaded)."""
    rec, an, sig = schema.records, schema.analysis, schema.dedup_signatures
    q = (select(rec.c.id, an.c.dup_group, sig.c.signature)
         .select_from(rec.join(an, an.c.record_id == rec.c.id).outerjoin(sig, sig.c.record_id == rec.c.id))
         .where(an.c.normalized_text.is_not(None)).order_by(rec.c.received_at, rec.c.id))
    with store.engine.connect() as conn:
        return list(conn.execute(q))


def _expected(store, threshold: float):
    """What the stage did before the store held bands: every signature loaded into one ``DupIndex``
    (oldest first, with its stored group), then the pending records added in order. The groups it
    gives once the run stored the pending records' new signatures, and how many groups merged."""
    pending = store.pending("analyze")
    history = [r for r in _signature_rows(store) if r.id not in set(pending)]
    index = DupIndex(MinHasher(), threshold=threshold)
    index.load((r.id, np.frombuffer(r.signature, dtype=np.uint32), r.dup_group) for r in history if r.signature)

    def finish() -> tuple[dict[str, str], int]:
        sigs = {r.id: np.frombuffer(r.signature, dtype=np.uint32) for r in _signature_rows(store) if r.signature}
        merges = sum(len(index.add(rid, sigs.get(rid)).merged) for rid in pending)
        out = {r.id: index.group(r.id) or r.dup_group for r in history}
        out.update({rid: index.group(rid) or rid for rid in pending})
        return out, merges
    return finish


def _half(d) -> str:
    return d.content[: len(d.content) * 2 // 3]


def _stored_groups(store) -> dict[str, str]:
    return {r.id: r.dup_group for r in _signature_rows(store)}


@pytest.mark.parametrize("threshold", [0.6, 0.3])
def test_groups_across_runs_are_those_of_the_whole_history_in_memory(app, store, pipelines, threshold):
    merges = 0
    days = _days()
    changed = [d.model_copy(update={"content": d.content + "。补充：问题仍未解决，请尽快处理。"}) for d in days[0][:40:4]]
    # two earlier demands in one text: at a loose threshold it links their groups
    earlier = sorted(days[0][::3] + days[1][::3], key=lambda d: len(d.content))[-12:]   # long, of like lengths
    bridges = [days[2][k].model_copy(update={"content": _half(a) + _half(b)})
               for k, (a, b) in enumerate(zip(earlier[::2], earlier[1::2]))]
    days[2] = bridges + days[2][len(bridges):]
    for n, day in enumerate(days):
        store.upsert(day + (changed if n == 2 else []))
        finish = _expected(store, threshold)
        stats = TextStage(pipelines[threshold], workers=1, batch_size=25).run(app)
        expected, merged = finish()
        merges += merged
        assert stats.analyzed == len(day) + (len(changed) if n == 2 else 0)
        assert _stored_groups(store) == expected
    assert len(set(_stored_groups(store).values())) < len(_stored_groups(store))   # groups were formed
    if threshold < 0.5:
        assert merges > 0   # and, loosely, merged across runs


def test_every_stored_signature_has_its_bands(app, store, pipelines):
    store.upsert(_days()[0])
    TextStage(pipelines[0.6], workers=1, batch_size=50).run(app)
    index = open_dup_index(app, pipelines[0.6].hasher, [])
    with store.engine.connect() as conn:
        bands = conn.execute(schema.dedup_bands.select()).all()
    by_record: dict[str, dict[int, int]] = {}
    for row in bands:
        by_record.setdefault(row.record_id, {})[row.band] = row.band_key
    sigs = {r.id: np.frombuffer(r.signature, dtype=np.uint32) for r in _signature_rows(store) if r.signature}
    assert set(by_record) == set(sigs)
    for rid, sig in sigs.items():
        assert [by_record[rid][b] for b in range(index.bands.b)] == signed(index.bands.band_keys(sig[None, :])[0])


def test_bands_are_rebuilt_when_their_settings_change_and_not_otherwise(app, store, pipelines, monkeypatch):
    store.upsert(_days()[0])
    TextStage(pipelines[0.6], workers=1, batch_size=50).run(app)
    tag = json.loads(shared_state(app).get(BANDS_KEY))["tag"]
    rebuilt: list[int] = []
    from nlp.stages import dup_store
    original = dup_store.rebuild_bands
    monkeypatch.setattr(dup_store, "rebuild_bands", lambda *a, **k: rebuilt.append(1) or original(*a, **k))
    open_dup_index(app, pipelines[0.6].hasher, [])
    assert rebuilt == []
    before = store.count(schema.dedup_bands)
    shared_state(app).put(BANDS_KEY, json.dumps({"tag": tag.replace("b10r6", "b9r7")}).encode())
    open_dup_index(app, pipelines[0.6].hasher, [])
    assert rebuilt == [1] and store.count(schema.dedup_bands) == before
    assert "ix_dedup_bands_key" in {i["name"] for i in inspect(store.engine).get_indexes("dedup_bands")}
    assert json.loads(shared_state(app).get(BANDS_KEY))["tag"] == tag


def test_a_crowded_bucket_offers_its_newest_records_first(store):
    demands = _days()[0][:6]
    store.upsert(demands)
    with store.begin() as conn:
        conn.execute(schema.dedup_bands.insert(), [{"record_id": d.id, "band": 0, "band_key": -5, "written_by": None}
                                                   for d in demands])
    order = [d.id for d in sorted(demands, key=lambda d: (d.received_at, d.id))]
    assert store.band_buckets([-5], newest=3) == {-5: order[::-1][:3]}
    with store.begin() as conn:
        conn.execute(schema.dedup_bands.update().where(schema.dedup_bands.c.record_id == order[-1]).values(written_by=7))
    assert store.band_buckets([-5], newest=3, skip_writer=7) == {-5: order[::-1][1:4]}


def test_a_first_load_looks_up_no_history_and_the_next_day_does(app, store, pipelines, monkeypatch):
    days = _days()
    probes: list[int] = []
    original = type(store).band_buckets
    monkeypatch.setattr(type(store), "band_buckets", lambda self, keys, *a, **k: probes.append(len(keys))
                        or original(self, keys, *a, **k))
    store.upsert(days[0])
    TextStage(pipelines[0.6], workers=1, batch_size=50).run(app)
    assert probes == []                       # the store's bands were all the run's own
    store.upsert(days[1])
    TextStage(pipelines[0.6], workers=1, batch_size=50).run(app)
    assert probes and sum(probes) > 0         # the day's buckets are looked up in the history
