"""Analyze fanned out on a local Dask cluster of two worker processes gives exactly what one process
gives: every analysis column of every record, the duplicate groups, the districts filled in, the
record versions and the keyword statistics."""

from __future__ import annotations

import pytest

from crawlers.synthetic import generate
from crawlers.synthetic.generator import strip_truth
from nlp.stages import ClassifyStage, LevelsStage, TextStage, TopicsStage, ViewsStage, run_stages
from nlp.stages.corpus_stats import load_doc_freq
from nlp.stages.partitioned import _Batches, PartitionResult, partitions
from suqiu.installation import Installation, write_default_config
from suqiu.model import build_demand

pytestmark = pytest.mark.slow

N, BATCH, PARTITION = 150, 25, 40   # partitions cut across batches: the reduce must regroup them


def _demands():
    return [build_demand(strip_truth(i)) for i in generate(N, seed=11, sources=["hotline", "portal"], bad_rate=0.0,
                                                          dup_rate=0.15)]


def _snapshot(inst: Installation) -> dict:
    ids = sorted(r["id"] for r in inst.store.iter_records())
    analyses = inst.store.analyses(ids)
    return {
        "analysis": {i: analyses[i].model_dump(mode="json") for i in ids},
        "records": {i: (r["district"], r["version"]) for i in ids for r in [inst.store.get(i)]},
        "doc_freq": load_doc_freq(inst).to_dict(),
        "stages": inst.store.status()["stages"],
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory, prefect_harness):
    from flows.analyze_dask import analyze_on_dask
    one, fanned = (tmp_path_factory.mktemp(n) for n in ("one-process", "dask"))
    insts = []
    for home in (one, fanned):
        write_default_config(home)
        inst = Installation.load(home)
        inst.store.upsert(_demands())
        insts.append(inst)
    single = run_stages(insts[0], [TextStage(workers=1, batch_size=BATCH), LevelsStage(batch=BATCH),
                                   ClassifyStage(batch=BATCH),
                                   TopicsStage(), ViewsStage()])
    dask = analyze_on_dask(home=str(fanned), n_workers=2, partition_size=PARTITION, batch_size=BATCH)
    yield {"single": single, "dask": dask, "one": _snapshot(insts[0]), "fanned": _snapshot(insts[1]),
           "home": str(fanned)}
    for inst in insts:
        inst.store.close()


def test_the_partitions_ran_on_the_cluster(both):
    assert both["dask"]["partitions"] == 4 and both["dask"]["analyzed"] == N
    assert both["dask"]["stages"]["classify"]["classified"] == N
    assert both["dask"]["stages"]["levels"]["classified"] == N   # 分级分类 after the reduce


def test_every_analysis_is_the_single_process_one(both):
    one, fanned = both["one"]["analysis"], both["fanned"]["analysis"]
    assert one.keys() == fanned.keys() and len(one) == N
    differing = [i for i in one if one[i] != fanned[i]]
    assert not differing, (differing[:3], [(one[i], fanned[i]) for i in differing[:1]])
    assert len({a["dup_group"] for a in one.values()}) < N  # near-duplicates were grouped


def test_records_statistics_and_stages_match(both):
    for key in ("records", "doc_freq", "stages"):
        assert both["one"][key] == both["fanned"][key], key
    assert both["single"]["dup_groups"] == both["dask"]["dup_groups"] > 0


def test_a_second_run_finds_nothing_to_do(both):
    from flows.analyze_dask import analyze_partitioned
    assert analyze_partitioned(home=both["home"])["run_id"] is None  # nothing pending: no cluster needed


def test_batches_are_regrouped_in_pending_order():
    ids = [f"r{i}" for i in range(10)]
    batches = _Batches(ids, 4)
    parts = [PartitionResult(p, [], {}) for p in partitions(ids, 3)]
    emitted = [len(batches.add(p)) for p in parts]
    assert emitted == [0, 1, 1, 1]  # batch 0 needs r0-r3 (two partitions), the last one r8-r9
