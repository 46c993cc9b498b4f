"""The views stage after a day's new demands redoes only the weeks they touch, and what it stores
is what a full build over the whole history stores."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from nlp.stages.views import ViewsStage
from nlp.view_plan import OLD_WEEK_MIN, incremental_plan, spans
from suqiu.installation import Installation, write_default_config
from suqiu.model import Analysis, build_demand
from suqiu.store import now_local
from tests.topics.corpus import THEMES, at

DISTRICTS = ["鼓楼区", "台江区", "仓山区"]
TOPICS = {0: "物业 电梯", 1: "学校 学位", 2: "噪音 施工"}
NOW = at(40, 2, 9)


def clock():
    """The real clock: what changed is told by the store's own update times."""
    return now_local()


def demands(week: int, n: int, seed: int) -> tuple[list, list[Analysis]]:
    """``n`` demands of one week: three themes, urgent ones, near-duplicates and a surge in week 30."""
    rng = random.Random(seed)
    ds, an = [], []
    for i in range(n):
        topic = rng.choice([0, 1, 2, 2] if week >= 30 else [0, 1, 2])
        words = rng.choices(list(THEMES.values())[topic], k=6)
        rid = f"w{week}-{seed}-{i}"
        d = build_demand({"source": "hotline", "source_id": rid, "channel": "电话",
                          "received_at": at(week, i % 7, 8 + i % 10), "title": f"{words[0]}问题 {rid}",
                          "content": " ".join(words), "district": rng.choice(DISTRICTS),
                          "requester": f"u-{rng.randrange(40)}", "department_given": rng.choice(["住建局", "教育局", ""])})
        ds.append(d)
        an.append(Analysis(record_id=d.id, tokens=words, keywords=words[:3], masked_title=d.title,
                           masked_text=d.content, urgency_level="critical" if i % 11 == 0 else "low",
                           topic_id=topic, topic_weight=0.9, sentiment_label="negative", sentiment_score=0.2,
                           dup_group=f"g{week}-{i // 4}" if i % 9 == 0 else None))
    return ds, an


def add(inst: Installation, week: int, n: int, seed: int) -> None:
    ds, an = demands(week, n, seed)
    inst.store.upsert(ds)
    inst.store.save_analysis(an, stage="analyze")


def install(path: Path, url: str) -> Installation:
    write_default_config(path)
    inst = Installation.load(path, environ={"SUQIU_STORE_URL": url} if url.startswith("postgresql") else None)
    inst.store.write_topics({t: {"label": name, "keywords": name.split(), "size": 0} for t, name in TOPICS.items()},
                            NOW, emerging=False)
    return inst


def stored(inst: Installation) -> dict:
    s = inst.store
    return {"profiles": {p["id"]: p["data"] for p in s.profile_rows()},
            "hotspots": s.hotspot_rows(100),
            "warnings": {w["id"]: (w["week"], w["level"], w["message"], w["evidence"]) for w in s.warning_rows(None, 10_000)},
            "forecasts": s.documents("forecast")}


@pytest.fixture
def two(tmp_path: Path, new_store_url):
    """Two installations on the engine under test (SQLite files, or PostgreSQL databases of their own)."""
    a, b = install(tmp_path / "a", new_store_url("a")), install(tmp_path / "b", new_store_url("b"))
    yield a, b
    a.store.close()
    b.store.close()


def test_a_new_week_built_incrementally_equals_a_full_build(two):
    inc, full = two
    for week in range(32):
        add(inc, week, 30 + week % 5, week)
        add(full, week, 30 + week % 5, week)
    first = ViewsStage(clock).run(inc)
    assert first.build == "full"
    ViewsStage(clock, full=True).run(full)
    add(inc, 32, 45, 99)
    add(full, 32, 45, 99)
    again = ViewsStage(clock).run(inc)
    assert again.build == "incremental"
    assert again.read < first.read + 45          # it read some weeks, not the history
    assert ViewsStage(clock, full=True).run(full).build == "full"
    a, b = stored(inc), stored(full)
    assert a["profiles"] == b["profiles"]
    assert a["hotspots"] == b["hotspots"]
    assert a["warnings"] == b["warnings"]
    assert a["forecasts"] == b["forecasts"]


def test_a_changed_old_week_redoes_that_week_and_the_ones_after(two):
    inc, full = two
    for week in range(20):
        add(inc, week, 25, week)
        add(full, week, 25, week)
    ViewsStage(clock).run(inc)
    ViewsStage(clock, full=True).run(full)
    add(inc, 5, 30, 77)        # a late export of week 5
    add(full, 5, 30, 77)
    assert ViewsStage(clock).run(inc).build == "incremental"
    ViewsStage(clock, full=True).run(full)
    a, b = stored(inc), stored(full)
    assert a["profiles"] == b["profiles"] and a["forecasts"] == b["forecasts"]
    week5 = "2026-W07"
    assert {k: v for k, v in a["warnings"].items() if v[0] == week5} == \
        {k: v for k, v in b["warnings"].items() if v[0] == week5}


def test_profiles_after_a_changed_week_compare_with_its_new_volume(two):
    inc, _ = two
    for week in range(10):
        add(inc, week, 20, week)
    ViewsStage(clock).run(inc)
    add(inc, 4, 10, 55)
    ViewsStage(clock).run(inc)
    rows = {r["id"]: r["data"] for r in inc.store.profile_rows(dimension="channel")}
    w6, w7 = rows["channel:电话:2026-W06"], rows["channel:电话:2026-W07"]
    assert w6["volume"] == 30 and w7["previous_volume"] == 30 and w7["change"] == -10


def test_new_topic_names_mean_a_full_build(two):
    inc, _ = two
    for week in range(6):
        add(inc, week, 20, week)
    ViewsStage(clock).run(inc)
    inc.store.write_topics({0: {"label": "电梯 维修", "keywords": ["电梯"], "size": 0}}, NOW, emerging=False)
    again = ViewsStage(clock).run(inc)
    assert again.build == "full" and again.build_reason == "话题名称或设置已变化"


def test_a_week_old_full_build_is_built_fully_again(two):
    inc, _ = two
    for week in range(6):
        add(inc, week, 20, week)
    ViewsStage(clock).run(inc)
    add(inc, 6, 20, 6)
    later = ViewsStage(lambda: now_local() + timedelta(days=8)).run(inc)
    assert later.build == "full" and later.build_reason == "距上次全量构建已满一周"


def test_the_plan_reads_a_new_week_and_the_hotspots_window():
    plan = incremental_plan([at(10, 1)], at(10, 3), window_days=14)
    assert plan.redo_weeks == {"2026-W12"}
    assert plan.patch_weeks == frozenset()                    # the week after is not there yet
    assert plan.read_weeks == {"2026-W10", "2026-W11", "2026-W12"}
    assert len(plan.spans) == 1 and plan.spans[0][1] - plan.spans[0][0] == at(3) - at(0)


def test_many_changes_in_an_old_week_redo_it_and_patch_the_next():
    plan = incremental_plan([at(2, i % 7) for i in range(OLD_WEEK_MIN)], at(20), window_days=14)
    assert plan.redo_weeks == {"2026-W04"} and plan.patch_weeks == {"2026-W05"}
    assert "2026-W04" in plan.read_weeks and "2026-W10" not in plan.read_weeks


def test_a_few_changes_in_an_old_week_wait_for_the_full_build():
    """A relabelled near-duplicate or two in an old week: not worth reading that week today."""
    plan = incremental_plan([at(2), at(2, 3), at(20)], at(20), window_days=14)
    assert plan.redo_weeks == {"2026-W22"} and "2026-W04" not in plan.read_weeks
    assert "1 个早期周的零星变化待全量构建" in plan.reason


def test_spans_merge_consecutive_weeks():
    assert len(spans(["2026-W03", "2026-W01", "2026-W02", "2026-W09"])) == 2


def test_counts_kept_by_another_release_mean_a_full_build(two):
    from nlp.stages.views import COUNTS_KEY
    from suqiu.state import shared_state
    inc, _ = two
    for week in range(4):
        add(inc, week, 20, week)
    ViewsStage(clock).run(inc)
    shared_state(inc).put(COUNTS_KEY, b'{"counts": {}, "labels": {}}')
    add(inc, 4, 20, 4)
    assert ViewsStage(clock).run(inc).build == "full"


def test_a_reassignment_alone_gives_the_views_work(two):
    """A department's counts follow its demands' owner: moving one is a change like a new demand."""
    from suqiu.twoway.dispatch import reassign
    from suqiu.model import Status
    inc, _ = two
    for week in range(4):
        add(inc, week, 20, week)
    rid = next(r["id"] for r in inc.store.iter_records() if r["department_given"] == "住建局")
    inc.store.set_fields(rid, {"status": Status.ROUTED}, origin="test")    # routed already: its status stays
    ViewsStage(clock).run(inc)
    assert not ViewsStage(clock).has_work(inc)
    reassign(inc, rid, "教育局", "属学位问题", actor="office-1")
    assert inc.store.get(rid)["status"] == Status.ROUTED.value
    assert ViewsStage(clock).has_work(inc)
    assert ViewsStage(clock).run(inc).build == "incremental"
