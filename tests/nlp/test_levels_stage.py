"""The levels stage at its store edge: what it classifies, when it runs again, what clears a level."""

from __future__ import annotations

from datetime import datetime

from nlp.stages import LevelsStage, TextStage, run_stages
from nlp.stages.levels import PREFIX
from suqiu.installation import Installation
from suqiu.model import SHANGHAI, build_demand

T = datetime(2026, 11, 16, 9, tzinfo=SHANGHAI)


def _demand(sid: str, source: str, content: str):
    return build_demand({"source": source, "source_id": sid, "received_at": T, "content": content,
                         "channel": "网站" if source == "portal" else "电话"})


def _levels(app, rid: str):
    a = app.store.get_analysis(rid)
    return a.publication, a.sensitivity


def _seed(app) -> None:
    app.store.upsert([_demand("p1", "portal", "小区路灯坏了一个月没人修"),
                      _demand("p2", "portal", "实名举报城管执法人员暴力执法"),
                      _demand("h1", "hotline", "楼道电梯坏了三天")], origin="import")
    run_stages(app, [TextStage(workers=1), LevelsStage()])


def test_every_analysed_record_gets_its_levels(app):
    _seed(app)
    assert _levels(app, "portal:p1") == ("public", "normal")
    assert _levels(app, "portal:p2") == ("office_only", "report")
    assert _levels(app, "hotline:h1") == ("internal", "normal")
    assert "被举报：城市管理局" in app.store.get_analysis("portal:p2").level_reasons[0]
    assert not LevelsStage().has_work(app)


def test_a_rules_change_classifies_everything_again(app, monkeypatch):
    _seed(app)
    old = LevelsStage()._rules(app)[1]
    monkeypatch.setenv("SUQIU__CLASSIFICATION__PUBLIC_SOURCES", "[]")
    stricter = Installation.load(app.home)
    assert LevelsStage().has_work(stricter)
    stats = LevelsStage().run(stricter)
    assert stats.classified == 3 and stats.by_publication == {"internal": 2, "office_only": 1}
    assert _levels(stricter, "portal:p1") == ("internal", "normal")
    assert stricter.store.done_count(old) == 0 and stats.rules.startswith(PREFIX)
    stricter.store.close()


def test_new_text_clears_the_levels_until_the_stage_reads_it(app):
    _seed(app)
    version = app.store.get("portal:p1")["version"]
    app.store.upsert([_demand("p1", "portal", "举报住建局工作人员吃拿卡要")], origin="import")
    run_stages(app, [TextStage(workers=1)])
    assert _levels(app, "portal:p1") == (None, None)          # the office's only, meanwhile
    run_stages(app, [LevelsStage()])
    assert _levels(app, "portal:p1") == ("office_only", "report")
    assert app.store.get("portal:p1")["version"] > version    # the index picks the new level up


def test_levels_run_in_the_default_order():
    from nlp.stages import STAGE_NAMES, default_stages
    assert STAGE_NAMES[:2] == ("analyze", "levels")
    assert [s.name for s in default_stages()] == list(STAGE_NAMES)
