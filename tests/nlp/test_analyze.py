"""`suqiu analyze`: fills the text fields for new records only, groups duplicates across runs."""

import json
from datetime import datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dataclasses import dataclass

from nlp.stages import ClassifyStage, TopicsStage, ViewsStage, run_stages
from nlp.stages.base import Stage, StageStats
from nlp.stages.dup_store import BANDS_KEY
from nlp.stages.corpus_stats import DOC_FREQ_KEY, DOC_FREQ_LOG, load_doc_freq, log_doc_freq
from suqiu.state import shared_state
from nlp.stages.text import AUTO_WORKERS_MIN, TextStage, auto_workers, docs_of
from nlp.text_pipeline import TextPipeline
from suqiu.model import build_demand
from suqiu.store import schema

NOISE = ("楼下工地每天晚上十一点以后还在施工,搅拌机和打桩机声音非常大,孩子无法入睡,老人心脏不好,已经持续两个星期了,"
         "多次打电话给施工单位都说马上停工,结果第二天照样施工,周边几个小区的居民都受到影响,希望有关部门依法查处夜间违规施工")


@pytest.fixture(scope="module")
def text_stage():
    """One text pipeline (dictionaries loaded once) for the module; the app's config is the shipped one."""
    from suqiu.config import default_config_text, parse_config
    import tomllib
    return TextPipeline.from_config(parse_config(tomllib.loads(default_config_text()))).warm()


@pytest.fixture
def analyze_pending(text_stage):
    """``suqiu analyze`` with the module's pipeline; ``later_stages`` replaces the stages after the text stage."""
    def run(app, stage=None, workers=0, batch_size=500, later_stages=None):
        later = [ClassifyStage(), TopicsStage(), ViewsStage()] if later_stages is None else list(later_stages)
        return run_stages(app, [TextStage(stage or text_stage, workers, batch_size), *later])
    return run


@dataclass
class ProbeStats(StageStats):
    done: int = 0


class Probe(Stage):
    """A later stage that records what it found pending after the text stage."""

    name = "probe"
    after = "analyze"

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[list[str]] = []
        self.fail = fail

    def has_work(self, inst) -> bool:
        return True

    def run(self, inst, progress=None) -> ProbeStats:
        if self.fail:
            raise RuntimeError("boom")
        self.seen.append(inst.store.pending("probe", after="analyze"))
        return ProbeStats(done=len(self.seen[-1]))


def demand(sid: str, content: str, title: str = "", district: str | None = None, day: int = 1, **kw):
    return build_demand({"source": "hotline", "source_id": sid, "channel": "电话", "title": title,
                         "content": content, "district": district,
                         "received_at": datetime(2026, 11, day, 9, 0), **kw})


@pytest.fixture
def seeded(store):
    store.upsert([
        demand("1", NOISE + "。我叫王小明,电话13812345678,家住杨桥路", title="工地夜间施工噪音扰民"),
        demand("2", "您好!" + NOISE + "。谢谢", district="鼓楼区", day=2),
        demand("3", "公司拖欠工资四个月,老板失联,劳动监察大队一直没有处理结果,请求帮助追讨", day=3),
    ])
    return store


def test_fills_text_fields(app, seeded, analyze_pending):
    stats = analyze_pending(app)
    assert stats["analyzed"] == 3
    a = seeded.get_analysis("hotline:1")
    assert a.masked_title == "工地夜间施工噪音扰民"
    assert "[手机号]" in a.masked_text and "13812345678" not in a.masked_text and "[姓名]" in a.masked_text
    assert "13812345678" in a.normalized_text  # the store keeps the unmasked normalized text
    assert "噪音扰民" in a.tokens and a.keywords
    road = next(p for p in a.places if p["name"] == "杨桥路")
    point = app.config.districts[0].coordinates["杨桥路"]   # the configured place's coordinates ride along
    assert road == {"name": "杨桥路", "level": "road", "district": "鼓楼区", "source": "gazetteer",
                    "lon": point[0], "lat": point[1]}


def test_tokens_carry_no_pii(app, seeded, analyze_pending):
    analyze_pending(app)
    toks = seeded.get_analysis("hotline:1").tokens
    assert "13812345678" not in toks and "手机号" not in toks and "王小明" not in toks


def test_rerun_does_nothing(app, seeded, analyze_pending):
    analyze_pending(app)
    runs = len(seeded.recent_runs())
    again = analyze_pending(app)
    assert again["pending"] == 0 and again["analyzed"] == 0 and again["run_id"] is None
    assert len(seeded.recent_runs()) == runs


def test_changed_record_is_reanalysed(app, seeded, analyze_pending):
    analyze_pending(app)
    seeded.upsert([demand("3", "小区电梯坏了一个月没人修,物业不管", day=3)])
    stats = analyze_pending(app)
    assert stats["analyzed"] == 1
    assert "电梯" in seeded.get_analysis("hotline:3").tokens


def test_district_filled_only_when_missing(app, seeded, analyze_pending):
    analyze_pending(app)
    assert seeded.get("hotline:1")["district"] == "鼓楼区"
    hist = [h for h in seeded.history("hotline:1") if h["field"] == "district"]
    assert hist and hist[0]["origin"] == "analyze"
    assert not [h for h in seeded.history("hotline:2") if h["field"] == "district"]


def test_inferred_district_is_an_analysis_place(app, seeded, analyze_pending):
    analyze_pending(app)
    places = seeded.get_analysis("hotline:1").places
    lon, lat = app.config.districts[0].center   # with the district centre's coordinates
    assert {"name": "鼓楼区", "level": "district", "district": "鼓楼区", "source": "inferred", "lon": lon,
            "lat": lat} in places


def test_source_district_is_not_overwritten(app, store, analyze_pending):
    store.upsert([demand("9", "台江区宁化街道" + NOISE, district="鼓楼区")])
    analyze_pending(app)
    assert store.get("hotline:9")["district"] == "鼓楼区"


def test_duplicates_share_group_named_by_first(app, seeded, analyze_pending):
    analyze_pending(app)
    g1 = seeded.get_analysis("hotline:1").dup_group
    assert g1 == "hotline:1" == seeded.get_analysis("hotline:2").dup_group
    assert seeded.get_analysis("hotline:3").dup_group == "hotline:3"


def test_duplicate_in_later_run_joins_existing_group(app, seeded, analyze_pending):
    analyze_pending(app)
    seeded.upsert([demand("4", "尊敬的领导:" + NOISE + ",望尽快处理", day=5)])
    stats = analyze_pending(app)
    assert stats["analyzed"] == 1
    assert seeded.get_analysis("hotline:4").dup_group == "hotline:1"
    assert stats["records_in_dup_groups"] == 3


def test_merge_across_runs_relabels_earlier_group(app, store, text_stage, analyze_pending):
    a = "小区门口垃圾站每天早上五点清运噪音很大污水横流气味难闻希望搬迁垃圾站或者调整清运时间"
    b = "公司连续四个月拖欠工资老板失联多次找劳动监察大队反映至今没有结果请求帮助追讨工资"
    store.upsert([demand("a1", a, day=1), demand("a2", a + "谢谢", day=1),
                  demand("b1", b, day=2), demand("b2", b + "谢谢", day=2)])
    analyze_pending(app)
    assert store.get_analysis("hotline:b2").dup_group == "hotline:b1"
    loose = TextPipeline(segmenter=text_stage.segmenter, places=text_stage.places, keywords=text_stage.keywords,
                      dup_threshold=0.25)
    store.upsert([demand("bridge", a[: len(a) * 2 // 3] + b[: len(b) * 2 // 3], day=3)])
    stats = analyze_pending(app, stage=loose)
    assert stats["relabelled"] == 2
    assert {store.get_analysis(f"hotline:{k}").dup_group for k in ("a1", "a2", "b1", "b2", "bridge")} == {"hotline:a1"}


def test_signatures_stored(app, seeded, analyze_pending):
    analyze_pending(app)
    assert seeded.count(schema.dedup_signatures) == 3


def test_a_stale_signature_is_made_again_from_the_masked_text(app, seeded, analyze_pending):
    """Signatures stored under other MinHash parameters (or lost) are remade from the stored text
    when the bands are rebuilt for the current settings, so a later duplicate still finds its group."""
    analyze_pending(app)
    seeded.save_signatures("an-older-hasher", {"hotline:1": b"\x00" * 8, "hotline:3": None})
    shared_state(app).put(BANDS_KEY, json.dumps({"tag": "an-older-hasher-b10r6"}).encode())
    seeded.upsert([demand("5", "尊敬的领导:" + NOISE + ",望尽快处理", day=6)])
    analyze_pending(app)
    assert seeded.get_analysis("hotline:5").dup_group == "hotline:1"
    with seeded.engine.connect() as conn:
        params = dict(conn.execute(select(schema.dedup_signatures.c.record_id, schema.dedup_signatures.c.params)).all())
    assert params["hotline:1"] == params["hotline:3"] == params["hotline:5"] != "an-older-hasher"


def test_doc_freq_grows_and_survives_loss(app, seeded, analyze_pending):
    analyze_pending(app)
    assert load_doc_freq(app).n_docs == 3
    assert shared_state(app).get(DOC_FREQ_KEY) is not None and not list(app.models_dir.glob("doc_freq*"))
    shared_state(app).delete([DOC_FREQ_KEY])
    assert load_doc_freq(app).n_docs == 3  # rebuilt from stored tokens


def test_run_recorded_with_stats(app, seeded, analyze_pending):
    stats = analyze_pending(app)
    run = seeded.recent_runs(1)[0]
    assert run["kind"] == "analyze" and run["status"] == "ok" and run["stats"]["analyzed"] == 3
    assert stats["pii_masked"]["mobile"] == 1


def test_later_stages_run_after_text_stage(app, seeded, analyze_pending):
    probe = Probe()
    stats = analyze_pending(app, later_stages=(probe,))
    assert len(probe.seen[0]) == 3 and stats["stages"]["probe"]["done"] == 3


def test_failed_later_stage_marks_run_failed(app, seeded, analyze_pending):
    with pytest.raises(RuntimeError):
        analyze_pending(app, later_stages=(Probe(fail=True),))
    assert seeded.recent_runs(1)[0]["status"] == "failed"
    assert seeded.get_analysis("hotline:1").masked_text  # the text stage's work is kept


def test_two_workers_same_result_as_one(app, store, text_stage, analyze_pending):
    texts = [f"第{i}栋楼下的烧烤摊油烟扰民,晚上营业到凌晨两点,噪音很大,编号{i}" * 2 for i in range(40)]
    store.upsert([demand(f"w{i}", t) for i, t in enumerate(texts)])
    stats = analyze_pending(app, workers=2, batch_size=40)
    assert stats["analyzed"] == 40 and stats["workers"] == 2
    serial = text_stage.process_one(docs_of([store.get("hotline:w7")])[0])
    assert store.get_analysis("hotline:w7").tokens == serial.tokens


def test_cli_json(app, seeded, home, analyze_pending):
    from suqiu.cli import app as cli
    res = CliRunner().invoke(cli, ["analyze", "--json"], env={"SUQIU_HOME": str(home)})
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["analyzed"] == 3
    res2 = CliRunner().invoke(cli, ["analyze", "--json"], env={"SUQIU_HOME": str(home)})
    assert json.loads(res2.stdout.strip().splitlines()[-1])["analyzed"] == 0


def test_several_batches_with_two_workers_store_what_one_process_stores(app, store, tmp_path, text_stage,
                                                                        analyze_pending):
    """Workers run one batch ahead of the store writes; nothing about the result may change."""
    from suqiu.installation import Installation, write_default_config
    texts = [NOISE[i % 40:] + f",第{i}栋" if i % 4 else f"第{i}号楼下烧烤摊油烟扰民,电话1381234{i:04d}"
             for i in range(45)]
    other_home = tmp_path / "other"
    write_default_config(other_home)
    other = Installation.load(other_home)
    try:
        for target, workers in ((app, 2), (other, 1)):
            target.store.upsert([demand(f"b{i}", t, day=1 + i % 20) for i, t in enumerate(texts)])
            stats = analyze_pending(target, workers=workers, batch_size=10, later_stages=())
            assert stats["analyzed"] == 45
        for i in range(45):
            a, b = store.get_analysis(f"hotline:b{i}"), other.store.get_analysis(f"hotline:b{i}")
            assert (a.masked_text, a.tokens, a.keywords, a.places, a.dup_group) == \
                (b.masked_text, b.tokens, b.keywords, b.places, b.dup_group)
        assert load_doc_freq(app).to_dict() == load_doc_freq(other).to_dict()
        assert analyze_pending(app, workers=2, batch_size=10, later_stages=())["analyzed"] == 0
    finally:
        other.store.close()


def _rebuilt(app):
    """Document frequencies recomputed from what the store holds (the truth the table must match)."""
    state = shared_state(app)
    kept = state.get(DOC_FREQ_KEY)
    state.delete([DOC_FREQ_KEY])
    try:
        return load_doc_freq(app).to_dict()
    finally:
        if kept is not None:
            state.put(DOC_FREQ_KEY, kept)


def test_a_run_that_dies_keeps_the_counts_of_the_batches_it_stored(app, store, analyze_pending, monkeypatch):
    store.upsert([demand(f"c{i}", f"第{i}号楼下烧烤摊油烟扰民,噪音很大,希望城管处理,编号{i}") for i in range(30)])
    real_save = store.save_analysis
    calls = []

    def dies_on_third_batch(items, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_save(items, **kw)
    monkeypatch.setattr(store, "save_analysis", dies_on_third_batch)
    with pytest.raises(RuntimeError):
        analyze_pending(app, batch_size=10, later_stages=())
    assert load_doc_freq(app).to_dict() == _rebuilt(app) and load_doc_freq(app).n_docs == 20
    monkeypatch.setattr(store, "save_analysis", real_save)
    assert analyze_pending(app, batch_size=10, later_stages=())["analyzed"] == 10
    assert load_doc_freq(app).to_dict() == _rebuilt(app) and load_doc_freq(app).n_docs == 30
    assert shared_state(app).keys(DOC_FREQ_LOG + "/") == []  # a finished run writes the whole table


def test_doc_freq_log_ignores_a_damaged_entry_and_entries_of_an_older_table(app, seeded, analyze_pending):
    import json as _json
    analyze_pending(app)
    table = _json.loads(shared_state(app).get(DOC_FREQ_KEY).decode("utf-8"))
    log_doc_freq(app, table["log_id"], [["噪音", "扰民"]])
    log_doc_freq(app, "an-older-table", [["停水"]])
    shared_state(app).put(f"{DOC_FREQ_LOG}/{table['log_id']}/99-torn", b'{"n_docs": 1, "df": {"\xe5\x81')
    df = load_doc_freq(app)
    assert df.n_docs == 4 and df.df["噪音"] == table["df"].get("噪音", 0) + 1 and "停水" not in df.df


def test_workers_zero_chooses_by_amount_of_work():
    assert auto_workers(AUTO_WORKERS_MIN - 1, cores=2) == 1
    assert auto_workers(AUTO_WORKERS_MIN, cores=2) == 2
    assert auto_workers(10 * AUTO_WORKERS_MIN, cores=1) == 1


def test_default_run_reports_the_processes_it_used(app, seeded, analyze_pending):
    assert analyze_pending(app)["workers"] == 1  # three records: not worth a second process
