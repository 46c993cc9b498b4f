"""The topics stage against a real store: tokens in, stable topic ids, profiles, hotspots, warnings out."""

import json

from typer.testing import CliRunner

from nlp.topic_ids import EmergingPolicy
from nlp.topics import TopicModeler, TopicSettings
from suqiu.model import Analysis, build_demand
from types import SimpleNamespace

from nlp.stages.topics import STATE_KEY, TopicsStage, list_topics
from suqiu.state import shared_state
from nlp.stages.views import ViewsStage, list_profiles, list_warnings, place_names
from tests.topics.corpus import at, corpus

SETTINGS = TopicSettings(k_values=(3,), passes=10, topn=8)
DISTRICTS = ["鼓楼区", "台江区"]


def add(store, ids, texts, labels, week, urgent=(), district=None):
    demands = [build_demand({"source": "hotline", "source_id": rid, "channel": "电话",
                             "received_at": at(week, i % 5, 8 + i % 9), "title": f"{lab} 诉求 {rid}",
                             "content": " ".join(toks), "district": district or DISTRICTS[i % 2], "requester": f"u-{rid}"})
               for i, (rid, toks, lab) in enumerate(zip(ids, texts, labels))]
    store.upsert(demands)
    # what the text stage leaves behind: tokens, keywords, masked text (here: our own tokens)
    store.save_analysis([Analysis(record_id=d.id, tokens=toks, keywords=toks[:3], masked_title=d.title,
                                  masked_text=d.content, urgency_level="high" if d.source_id in urgent else "low")
                         for d, toks in zip(demands, texts)], stage="analyze")
    return [d.id for d in demands]


class Both:
    """The topics stage and then the views stage, as ``suqiu analyze`` runs them."""

    def __init__(self, app, **kw) -> None:
        self.app = app
        kw.setdefault("modeler", TopicModeler(SETTINGS))
        kw.setdefault("policy", EmergingPolicy(min_outliers=10, share_margin=0.15))
        self.topics = TopicsStage(**kw)

    def run(self) -> SimpleNamespace:
        return SimpleNamespace(**self.topics.run(self.app).as_dict(), **{
            k: v for k, v in ViewsStage().run(self.app).as_dict().items() if k != "seconds"})


def stage(app, **kw):
    return Both(app, **kw)


def list_hotspots(store, top):
    return store.hotspot_rows(top)


def has_work(app) -> bool:
    return TopicsStage().has_work(app) or ViewsStage().has_work(app)


def topic_of_theme(store, theme, seed=1):
    ids = [f"hotline:{theme}-{seed}-{i}" for i in range(20)]
    got = [store.get_analysis(i).topic_id for i in ids]
    return max(set(got), key=got.count)


def test_nothing_to_do_without_the_text_stage(app):
    run = stage(app).run()
    assert run.assigned == 0 and not run.fitted


def test_first_run_fits_and_assigns_every_demand(app):
    ids = add(app.store, *corpus(), week=0)
    run = stage(app).run()
    assert run.fitted and run.k == 3 and run.assigned == len(ids) and run.written == len(ids)
    fit = json.loads(shared_state(app).get(STATE_KEY))["fit_id"]
    assert shared_state(app).keys(f"models/topics/{fit}/")  # the model in the shared state, not only here
    assert app.store.pending("topics", after="analyze") == []
    topics = list_topics(app.store)
    assert len(topics) == 3 and sum(t["size"] for t in topics) == len(ids) - run.outliers
    assert all(t["representatives"][0]["title"] for t in topics)
    assert len({topic_of_theme(app.store, t) for t in ("property", "school", "pollution")}) == 3


def test_rerun_with_nothing_new_writes_nothing(app):
    add(app.store, *corpus(), week=0)
    stage(app).run()
    versions = [r["version"] for r in app.store.iter_records()]
    again = stage(app).run()
    assert not again.fitted and again.written == 0
    assert [r["version"] for r in app.store.iter_records()] == versions


def test_new_week_is_assigned_without_refitting(app):
    add(app.store, *corpus(), week=0)
    stage(app).run()
    before = {t: topic_of_theme(app.store, t) for t in ("property", "school", "pollution")}
    ids, texts, labels = corpus(per_theme=3, seed=5)
    add(app.store, ids, texts, labels, week=1)
    run = stage(app).run()
    assert not run.fitted and run.assigned == 9
    for rid, lab in zip(ids, labels):
        assert app.store.get_analysis(f"hotline:{rid}").topic_id == before[lab]


def test_emerging_theme_triggers_a_refit_that_keeps_old_ids(app):
    add(app.store, *corpus(), week=0)
    stage(app).run()
    before = {t: topic_of_theme(app.store, t) for t in ("property", "school", "pollution")}
    ids, texts, labels = corpus(themes=("transit",), per_theme=15, seed=3)
    add(app.store, ids, texts, labels, week=1)
    s = stage(app, modeler=TopicModeler(TopicSettings(k_values=(3, 4), passes=10, topn=8, coherence_tolerance=1.0)))
    run = s.run()
    assert run.fitted and "fit no topic" in run.reason
    assert {t: topic_of_theme(app.store, t) for t in before} == before
    transit = {app.store.get_analysis(f"hotline:{rid}").topic_id for rid in ids}
    [new_id] = run.new_topics
    assert transit == {new_id}
    emerging = [t for t in list_topics(app.store) if t["emerging"]]
    assert [t["id"] for t in emerging] == [new_id]
    assert "公交" in emerging[0]["keywords"] or "地铁" in emerging[0]["keywords"]


def test_views_are_stored(app):
    ids, texts, labels = corpus()
    add(app.store, ids, texts, labels, week=0, urgent={ids[0], ids[3], ids[6]})
    run = stage(app).run()
    assert run.profiles > 0 and run.hotspots > 0
    week, profiles = list_profiles(app.store, "district")
    assert week == "2026-W02" and {p["value"] for p in profiles} == set(DISTRICTS)
    assert sum(p["volume"] for p in profiles) == len(ids)
    hot = list_hotspots(app.store, top=5)
    assert hot and hot[0]["heat"] >= hot[-1]["heat"]
    assert all(h["description"] for h in hot)
    # the urgent demands ids[0], ids[3], ids[6] are one theme (property) in alternating districts
    assert isinstance(list_warnings(app.store), list)


def test_views_are_idempotent(app):
    add(app.store, *corpus(), week=0)
    stage(app).run()
    first = (list_hotspots(app.store, 100), list_profiles(app.store, "channel"))
    stage(app).run()
    assert (list_hotspots(app.store, 100), list_profiles(app.store, "channel")) == first


def test_warnings_are_stored_with_evidence(app):
    add(app.store, *corpus(per_theme=10, seed=1), week=0)
    # the next week, a district that was quiet sends a dozen demands
    add(app.store, *corpus(per_theme=4, seed=2), week=1, district="马尾区")
    stage(app, policy=None).run()
    surge = [w for w in list_warnings(app.store) if w["kind"] == "surge_district"]
    assert [(w["subject"], w["week"]) for w in surge] == [("马尾区", "2026-W03")]
    assert surge[0]["evidence"]["count"] == 12 and len(surge[0]["evidence"]["records"]) == 5
    assert surge[0]["evidence"]["series"] == {"2026-W02": 0, "2026-W03": 12}


def _cli(args):
    from suqiu.cli import app as cli
    return CliRunner().invoke(cli, args)


def test_cli_topics_hotspots_profiles_json(app):
    add(app.store, *corpus(), week=0)
    stage(app).run()
    res = _cli(["topics", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["topics"]) == 3 and "outliers" in data
    res = _cli(["hotspots", "--json", "--top", "2"])
    assert res.exit_code == 0 and len(json.loads(res.stdout)["hotspots"]) == 2
    res = _cli(["profiles", "--dimension", "district", "--week", "2026-W02", "--json"])
    body = json.loads(res.stdout)
    assert res.exit_code == 0 and body["week"] == "2026-W02" and len(body["profiles"]) == 2


def test_cli_human_output_is_chinese(app):
    add(app.store, *corpus(), week=0)
    stage(app).run()
    res = _cli(["topics"])
    assert res.exit_code == 0 and "话题" in res.output
    assert "热度" in _cli(["hotspots"]).output


def test_cli_bad_dimension_and_week(app):
    assert _cli(["profiles", "--dimension", "street"]).exit_code == 2  # not one of the choices
    assert _cli(["profiles", "--week", "2026-47"]).exit_code == 1


def test_cli_before_any_topics(app):
    res = _cli(["topics", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["topics"] == []


def test_too_few_demands_wait_for_more(app):
    ids, texts, labels = corpus(per_theme=3)
    add(app.store, ids, texts, labels, week=0)
    run = stage(app).run()
    assert not run.fitted and "too few" in run.reason
    assert len(app.store.pending("topics", after="analyze")) == 9
    assert run.profiles > 0  # the views do not wait for topics


def test_has_work_follows_pending_demands_and_changes(app):
    assert not has_work(app)
    add(app.store, *corpus(), week=0)
    assert has_work(app)
    stage(app).run()
    assert not has_work(app)
    app.store.set_fields("hotline:property-1-0", {"status": "replied"}, origin="test")
    assert has_work(app)


def test_place_names_finest_first_without_pronoun_places():
    places = [{"name": "鼓楼区", "level": "district", "source": "gazetteer"},
              {"name": "杨桥路", "level": "road", "source": "gazetteer"},
              {"name": "我们小区", "level": "estate", "source": "pattern"},
              {"name": "湖前小区", "level": "estate", "source": "gazetteer"}]
    assert place_names(places) == ["湖前小区", "杨桥路", "鼓楼区"]


def test_the_city_is_no_topic_word_with_or_without_its_suffix():
    from nlp.stages.topics import topic_stop_words
    from suqiu.config import load_config
    stop = topic_stop_words(load_config(environ={}))
    assert {"福州市", "福州", "仓山区"} <= stop and "内河" not in stop


def test_a_refit_cut_off_before_its_assignments_keeps_the_last_fit_and_the_next_run_fits_again(app, monkeypatch):
    """A machine shut down in a refit's assignment pass must not leave the new fit's names over
    the old fit's ids for good (the state named the new fit before its ids were written)."""
    from nlp.stages.topics import CUT_OFF
    add(app.store, *corpus(), week=0)
    stage(app).run()
    first = json.loads(shared_state(app).get(STATE_KEY))
    names = {t["id"]: t["label"] for t in list_topics(app.store)}
    ids, texts, labels = corpus(themes=("transit",), per_theme=15, seed=3)
    add(app.store, ids, texts, labels, week=1)
    refitting = TopicModeler(TopicSettings(k_values=(3, 4), passes=10, topn=8, coherence_tolerance=1.0))

    def killed(*args, **kwargs):
        raise SystemExit("machine shut down")

    monkeypatch.setattr(TopicsStage, "_write", staticmethod(killed))
    try:
        stage(app, modeler=refitting).topics.run(app)
    except SystemExit:
        pass
    monkeypatch.undo()
    state = json.loads(shared_state(app).get(STATE_KEY))
    assert state["fit_id"] == first["fit_id"] and state["refit_started"] != first["fit_id"]
    assert {t["id"]: t["label"] for t in list_topics(app.store)} == names
    assert TopicsStage().has_work(app)
    again = stage(app, modeler=refitting).run()
    assert again.fitted and again.reason == CUT_OFF
    state = json.loads(shared_state(app).get(STATE_KEY))
    assert "refit_started" not in state and state["fit_id"] != first["fit_id"]
    [new_id] = again.new_topics
    assert {app.store.get_analysis(f"hotline:{rid}").topic_id for rid in ids} == {new_id}
    assert not stage(app, modeler=refitting).run().fitted


def test_a_refit_cut_off_after_its_writes_still_gives_the_stage_work(app, monkeypatch):
    """Its ids are written but its names are not: nothing is pending, the next run must still refit."""
    add(app.store, *corpus(), week=0)
    stage(app).run()
    ids, texts, labels = corpus(themes=("transit",), per_theme=15, seed=3)
    add(app.store, ids, texts, labels, week=1)
    refitting = TopicModeler(TopicSettings(k_values=(3, 4), passes=10, topn=8, coherence_tolerance=1.0))

    def killed(*args, **kwargs):
        raise SystemExit("machine shut down")

    monkeypatch.setattr(TopicsStage, "_save_model", killed)
    try:
        stage(app, modeler=refitting).topics.run(app)
    except SystemExit:
        pass
    monkeypatch.undo()
    assert app.store.pending("topics", after="analyze") == []
    assert TopicsStage().has_work(app)
    assert stage(app, modeler=refitting).run().fitted
    assert not TopicsStage().has_work(app)
