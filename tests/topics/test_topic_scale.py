"""Bounded topic fits: the stratified sample, batched NMF projection, and a stage fitted on a sample."""

from collections import Counter

import numpy as np

from nlp.stages.topics import TopicsStage
from nlp.topic_scale import best_topics, nmf_weights, stratified_sample, top_two
from nlp.topics import OUTLIER, TopicModeler, TopicSettings
from tests.topics.corpus import corpus
from tests.topics.test_topics_stage import add

SETTINGS = TopicSettings(k_values=(3,), passes=10, topn=8)


def _keyed(sizes: dict[str, int]) -> list[tuple[str, str]]:
    return [(f"{week}-{i}", week) for week, n in sizes.items() for i in range(n)]


def test_sample_is_bounded_and_proportional_to_each_week():
    keyed = _keyed({"w1": 600, "w2": 300, "w3": 100})
    chosen = stratified_sample(keyed, 100, seed=1)
    by_week = Counter(doc_id.split("-")[0] for doc_id in chosen)
    assert len(chosen) == 100 and by_week == {"w1": 60, "w2": 30, "w3": 10}


def test_sample_keeps_a_small_week_and_everything_under_the_limit():
    assert len(stratified_sample(_keyed({"w1": 5, "w2": 5}), 100, seed=1)) == 10
    chosen = stratified_sample(_keyed({"w1": 1000, "w2": 1}), 10, seed=1)
    assert "w2-0" in chosen


def test_sample_is_the_same_draw_for_a_seed_and_another_for_another_seed():
    keyed = _keyed({"w1": 500, "w2": 500})
    assert stratified_sample(keyed, 50, seed=1) == stratified_sample(list(reversed(keyed)), 50, seed=1)
    assert stratified_sample(keyed, 50, seed=1) != stratified_sample(keyed, 50, seed=2)


def test_batched_projection_agrees_with_gensim_per_document():
    ids, texts, _ = corpus()
    fit = TopicModeler(SETTINGS).fit(ids, texts)
    bows = [fit.dictionary.doc2bow(t) for t in texts]
    batch = nmf_weights(fit.model, bows)
    single = np.zeros_like(batch)
    for row, bow in enumerate(bows):   # gensim leaves out topics of weight ~0
        for topic, p in fit.model.get_document_topics(bow, minimum_probability=0.0):
            single[row, topic] = p
    assert batch.shape == single.shape
    assert np.allclose(batch.sum(axis=1), 1.0)
    assert (batch.argmax(axis=1) == single.argmax(axis=1)).mean() > 0.95


def test_best_topics_marks_rows_without_weight_and_breaks_ties_low():
    index, weight = best_topics(np.array([[0.2, 0.5, 0.5], [0.0, 0.0, 0.0]]))
    assert index.tolist() == [1, -1] and weight.tolist() == [0.5, 0.0]


def test_top_two_gives_the_runner_up():
    assert top_two(np.array([[0.2, 0.5, 0.3], [0.0, 0.0, 0.0]])) == [(1, 0.5, 0.3), (-1, 0.0, 0.0)]


def test_assignments_come_back_in_the_input_order_when_short_demands_sit_between(monkeypatch):
    """Too-short demands are outliers at once, the others wait for their batch: the result must
    still line up with the input (the stage zips it with its demands)."""
    import nlp.topics
    ids, texts, _ = corpus()
    modeler = TopicModeler(SETTINGS)
    fit = modeler.fit(ids, texts)
    mixed_ids = [i for pair in zip(ids, (f"short{n}" for n in range(len(ids)))) for i in pair]
    mixed = [t for pair in zip(texts, (["好"] for _ in texts)) for t in pair]
    monkeypatch.setattr(nlp.topics, "ASSIGN_BATCH", 7)   # several batches, flushed between short ones
    out = modeler.assign(fit.model, fit.dictionary, mixed_ids, mixed)
    assert [a.doc_id for a in out] == mixed_ids
    whole = {a.doc_id: a for a in modeler.assign(fit.model, fit.dictionary, ids, texts)}
    assert all(a.index == OUTLIER for a in out if a.doc_id.startswith("short"))
    kept = [a for a in out if not a.doc_id.startswith("short")]
    assert [a.index for a in kept] == [whole[i].index for i in ids]          # the batch's solver stops on
    assert all(abs(a.weight - whole[a.doc_id].weight) < 0.01 for a in kept)  # its total error: weights ~1e-3


def test_stage_fits_on_a_sample_and_assigns_every_demand(app):
    ids = add(app.store, *corpus(per_theme=40), week=0) + add(app.store, *corpus(per_theme=40, seed=3), week=1)
    small = TopicSettings(k_values=(3,), passes=10, topn=8, fit_sample=60)
    run = TopicsStage(modeler=TopicModeler(small)).run(app)
    state = TopicsStage.load_state(app)
    assert run.fitted and state["fit_docs"] == len(ids)   # the corpus it covers, not its sample of 60
    assert run.assigned == len(ids) and run.written == len(ids)
    assert app.store.pending("topics", after="analyze") == []
    analyses = app.store.analyses(ids)
    assert all(analyses[i].topic_id is not None for i in ids)
    assert sum(analyses[i].topic_id != OUTLIER for i in ids) > 0.8 * len(ids)


def test_a_sampled_fit_is_not_refitted_for_growing_by_its_sample(app):
    """The policy refits when the corpus grew by its fit-time size: the whole corpus, not the sample
    (on a million demands a sample of 20,000 meant a refit of the whole history every week)."""
    add(app.store, *corpus(per_theme=40), week=0)
    add(app.store, *corpus(per_theme=40, seed=3), week=1)
    small = TopicSettings(k_values=(3,), passes=10, topn=8, fit_sample=60)
    TopicsStage(modeler=TopicModeler(small)).run(app)
    add(app.store, *corpus(per_theme=25, seed=4), week=2)          # more than the sample, less than the corpus
    again = TopicsStage(modeler=TopicModeler(small)).run(app)
    assert not again.fitted and again.assigned == 75
    add(app.store, *corpus(per_theme=60, seed=5), week=3)          # now grown by its size
    assert TopicsStage(modeler=TopicModeler(small)).run(app).fitted


def test_stage_docs_by_id_are_the_streamed_rows_of_those_ids(app):
    ids = add(app.store, *corpus(), week=0)
    add(app.store, *corpus(per_theme=3, seed=5), week=1)
    columns = ("tokens", "topic_id", "topic_weight", "dup_group")
    every = list(app.store.stage_docs("analyze", columns))
    wanted = set(ids[::3]) | {"hotline:no-such-demand"}
    assert list(app.store.stage_docs("analyze", columns, ids=wanted)) == [d for d in every if d["id"] in wanted]
    assert all(d["district"] in ("鼓楼区", "台江区") for d in every)


def test_the_fit_sample_is_drawn_by_week_and_district():
    from datetime import datetime

    from nlp.stages.topics import _stratum
    keyed = [(f"{d}-{i}", _stratum({"received_at": datetime(2026, 1, 5), "district": d}))
             for d, n in (("鼓楼区", 900), ("连江县", 100)) for i in range(n)]
    chosen = stratified_sample(keyed, 100, seed=1)
    assert Counter(i.split("-")[0] for i in chosen) == {"鼓楼区": 90, "连江县": 10}
    assert _stratum({"received_at": None, "district": None}) == "|"
