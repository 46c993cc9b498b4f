from collections import Counter

import pytest

from nlp.topic_ids import EmergingPolicy, keyword_overlap, match_topics, topic_mix
from nlp.topics import OUTLIER, LdaBackend, TopicModeler, TopicSettings, topic_tokens
from tests.topics.corpus import THEMES, corpus

SMALL = TopicSettings(k_values=(2, 3, 4, 5), passes=10, topn=8, min_weight=0.3)


@pytest.fixture(scope="module")
def fit():
    ids, texts, labels = corpus()
    return TopicModeler(SMALL).fit(ids, texts), labels


def _theme_of(keywords):
    return Counter(t for k in keywords for t, vocab in THEMES.items() if k in vocab).most_common(1)[0][0]


def test_topic_tokens_drop_noise_single_chars_and_stop_words():
    assert topic_tokens(["物业", "的", "123", "A3", "，", "您好", "电梯"]) == ["物业", "电梯"]


def test_topic_tokens_extra_stop_words():
    assert topic_tokens(["物业", "鼓楼区"], stop_words={"鼓楼区"}) == ["物业"]


def test_coherence_is_scored_for_every_candidate(fit):
    f, _ = fit
    assert sorted(f.coherence_by_k) == [2, 3, 4, 5]
    assert f.coherence == f.coherence_by_k[f.k]
    assert f.coherence >= max(f.coherence_by_k.values()) - SMALL.coherence_tolerance


def test_chosen_model_separates_the_three_themes(fit):
    f, labels = fit
    themes = {_theme_of(t.keywords) for t in f.topics}
    assert {"property", "school", "pollution"} <= themes


def test_documents_of_one_theme_share_a_topic(fit):
    f, labels = fit
    for theme in ("property", "school", "pollution"):
        got = Counter(a.index for a, lab in zip(f.assignments, labels) if lab == theme)
        assert got.most_common(1)[0][1] >= 18  # of 20


def test_each_topic_is_named_by_two_to_four_phrases_of_its_own_theme(fit):
    f, _ = fit
    for t in f.topics:
        assert 2 <= len(t.label_words) <= SMALL.label_words
        assert t.label == "·".join(t.label_words)
        assert all(len(p) >= 2 for p in t.label_words) and len(set(t.label_words)) == len(t.label_words)
        theme = _theme_of(t.keywords)
        assert sum(p in THEMES[theme] for p in t.label_words) >= len(t.label_words) - 1, (theme, t.label)


def test_representatives_are_members_with_highest_weight(fit):
    f, _ = fit
    weights = {a.doc_id: (a.index, a.weight) for a in f.assignments}
    for t in f.topics:
        if t.size:
            assert all(weights[r][0] == t.index for r in t.representatives)
            assert weights[t.representatives[0]][1] == max(w for i, w in weights.values() if i == t.index)


def test_fit_is_deterministic():
    ids, texts, _ = corpus()
    a = TopicModeler(SMALL).fit(ids, texts)
    b = TopicModeler(SMALL).fit(ids, texts)
    assert [t.keywords for t in a.topics] == [t.keywords for t in b.topics]
    assert a.assignments == b.assignments


def test_document_without_known_words_is_an_outlier(fit):
    f, _ = fit
    got = TopicModeler(SMALL).assign(f.model, f.dictionary, ["x", "y"], [["天气", "晴朗", "心情"], []])
    assert [a.index for a in got] == [OUTLIER, OUTLIER]


def test_mixed_document_below_min_weight_is_an_outlier(fit):
    f, _ = fit
    strict = TopicModeler(TopicSettings(k_values=(3,), min_weight=0.95, soft_weight=0.95))
    mixed = THEMES["property"][:4] + THEMES["school"][:4] + THEMES["pollution"][:4]
    assert strict.assign(f.model, f.dictionary, ["m"], [mixed])[0].index == OUTLIER


def test_new_week_is_assigned_to_existing_topics(fit):
    f, labels = fit
    ids, texts, new_labels = corpus(per_theme=5, seed=7)
    got = TopicModeler(SMALL).assign(f.model, f.dictionary, ids, texts)
    train = {lab: Counter(a.index for a, l2 in zip(f.assignments, labels) if l2 == lab).most_common(1)[0][0]
             for lab in set(labels)}
    agree = sum(a.index == train[lab] for a, lab in zip(got, new_labels))
    assert agree >= 14  # of 15


def test_topic_ids_are_stable_across_retraining():
    ids1, texts1, labels1 = corpus(seed=1)
    ids2, texts2, labels2 = corpus(seed=2)
    first = TopicModeler(TopicSettings(k_values=(3,), passes=10, topn=8)).fit(ids1, texts1)
    # retrain on other documents, in another order, with another seed: topic indices shuffle
    second = TopicModeler(TopicSettings(k_values=(3,), passes=10, topn=8, seed=99)).fit(
        ids2[::-1], texts2[::-1])
    ids_first = {i: i for i in range(len(first.topics))}  # first fit: stable id = index
    known = {ids_first[t.index]: t.keywords for t in first.topics}
    match = match_topics(known, [t.keywords for t in second.topics])
    theme_id_first = {_theme_of(t.keywords): ids_first[t.index] for t in first.topics}
    theme_id_second = {_theme_of(t.keywords): match.mapping[t.index] for t in second.topics}
    assert set(theme_id_first) == {"property", "school", "pollution"}
    assert theme_id_second == theme_id_first
    assert match.new_ids == [] and match.retired_ids == []


def test_match_topics_gives_fresh_ids_to_new_themes_and_retires_missing_ones():
    known = {0: ["物业", "电梯", "业主"], 1: ["学校", "学生", "老师"], 5: ["噪音", "污染", "废气"]}
    new = [["学生", "老师", "学校", "补课"], ["公交", "地铁", "站点"], ["电梯", "物业", "业主", "漏水"]]
    m = match_topics(known, new)
    assert m.mapping == {0: 1, 1: 6, 2: 0}
    assert m.new_ids == [6]
    assert m.retired_ids == [5]


def test_match_topics_below_min_overlap_is_a_new_topic():
    m = match_topics({3: ["a", "b", "c", "d"]}, [["a", "x", "y", "z"]], min_overlap=0.2)
    assert m.mapping == {0: 4} and m.retired_ids == [3]


def test_match_topics_without_history_numbers_from_zero():
    assert match_topics({}, [["a"], ["b"]]).mapping == {0: 0, 1: 1}


def test_keyword_overlap_is_jaccard():
    assert keyword_overlap(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert keyword_overlap([], ["a"]) == 0.0


@pytest.mark.parametrize("fit_docs,fit_share,new_docs,new_out,expected", [
    (100, 0.05, 40, 25, True),     # 62% unassigned, well above the fit's 5%
    (100, 0.05, 40, 4, False),     # too few
    (100, 0.50, 40, 25, False),    # no worse than at fit time
    (100, 0.05, 0, 0, False),
    (50, 0.05, 60, 0, True),       # the corpus more than doubled
])
def test_emerging_policy(fit_docs, fit_share, new_docs, new_out, expected):
    assert EmergingPolicy(min_outliers=20, share_margin=0.15).should_refit(fit_docs, fit_share, new_docs, new_out) is expected


def test_topic_mix_leaves_out_outliers_and_unassigned():
    assert topic_mix([1, 1, 2, OUTLIER, None]) == Counter({1: 2, 2: 1})


def test_settings_reject_bad_candidates():
    with pytest.raises(ValueError, match="k_values"):
        TopicSettings(k_values=(1,))


def test_too_small_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="vocabulary"):
        TopicModeler(SMALL).fit(["a"], [["物业"]])


def test_lda_backend_fits_and_separates_themes():
    ids, texts, _ = corpus()
    f = TopicModeler(TopicSettings(k_values=(3,), passes=20, topn=8), LdaBackend()).fit(ids, texts)
    assert f.backend == "lda"
    assert {_theme_of(t.keywords) for t in f.topics} == {"property", "school", "pollution"}


class FixedTopics:
    """A stand-in topic model whose document-topic weights are given (the rule under test is ours)."""

    def __init__(self, weights):
        self.weights = weights

    def __getitem__(self, bow):
        return list(enumerate(self.weights))


@pytest.mark.parametrize("weights,expected", [
    ([0.31, 0.30, 0.39], 2),          # above min_weight: its best topic
    ([0.22, 0.10, 0.08], 0),          # below min_weight, but twice the runner-up: soft assignment
    ([0.22, 0.15, 0.08], OUTLIER),    # below min_weight and no clear lead
    ([0.12, 0.01, 0.01], OUTLIER),    # below soft_weight
])
def test_soft_assignment_to_a_clearly_leading_topic(fit, weights, expected):
    f, _ = fit
    modeler = TopicModeler(TopicSettings(k_values=(3,), min_weight=0.3, soft_weight=0.15, soft_margin=2.0))
    doc = THEMES["property"][:6]
    [a] = modeler.assign(FixedTopics(weights), f.dictionary, ["d"], [doc])
    assert a.index == expected and a.weight == max(weights)


def test_soft_weight_cannot_exceed_min_weight():
    with pytest.raises(ValueError, match="soft_weight"):
        TopicSettings(min_weight=0.2, soft_weight=0.3)


def test_copies_are_assigned_but_do_not_shape_the_model():
    ids, texts, _ = corpus()
    copy = THEMES["transit"][:8] + THEMES["transit"][:4]
    settings = TopicSettings(k_values=(3,), passes=10, topn=8)
    alone = TopicModeler(settings).fit(ids, texts)
    with_copies = TopicModeler(settings).fit(ids + [f"copy-{i}" for i in range(40)], texts + [copy] * 40,
                                             fit_on=[True] * len(ids) + [False] * 40)
    assert [t.keywords for t in with_copies.topics] == [t.keywords for t in alone.topics]
    assert len(with_copies.assignments) == len(ids) + 40
    learning = TopicModeler(settings).fit(ids + [f"copy-{i}" for i in range(40)], texts + [copy] * 40)
    assert [t.keywords for t in learning.topics] != [t.keywords for t in alone.topics]


def test_fit_on_must_match_the_documents():
    ids, texts, _ = corpus()
    with pytest.raises(ValueError, match="fit_on"):
        TopicModeler(SMALL).fit(ids, texts, fit_on=[True])


def test_candidates_are_chosen_on_a_seeded_sample_then_refitted_on_all():
    ids, texts, _ = corpus()
    sampled = TopicSettings(k_values=(2, 3, 4), passes=10, topn=8, selection_docs=30, coherence_docs=20)
    a = TopicModeler(sampled).fit(ids, texts)
    b = TopicModeler(sampled).fit(ids, texts)
    assert a.k == b.k and [t.keywords for t in a.topics] == [t.keywords for t in b.topics]
    assert {_theme_of(t.keywords) for t in a.topics} >= {"property", "school", "pollution"}
    assert len(a.assignments) == len(ids)


def test_a_candidate_with_a_catch_all_topic_is_passed_over(monkeypatch):
    """c_v prefers k = 9, but its largest topic holds 37% of the demands: the next coherent one wins."""
    modeler = TopicModeler(TopicSettings(k_values=(6, 9, 12)))
    shares = {6: 0.40, 9: 0.37, 12: 0.20}
    monkeypatch.setattr(modeler, "_largest_share", lambda model, bows: shares[model])
    assert modeler._choose_k({6: 0.70, 9: 0.77, 12: 0.71}, {k: k for k in shares}, []) == 12


def test_when_every_candidate_has_a_catch_all_the_smallest_one_wins(monkeypatch):
    modeler = TopicModeler(TopicSettings(k_values=(6, 9)))
    shares = {6: 0.50, 9: 0.35}
    monkeypatch.setattr(modeler, "_largest_share", lambda model, bows: shares[model])
    assert modeler._choose_k({6: 0.80, 9: 0.60}, {k: k for k in shares}, []) == 9


def test_a_few_balanced_themes_are_not_a_catch_all(monkeypatch):
    """Three themes are a third each at k = 3: the cap is never below 1.5 / k."""
    modeler = TopicModeler(TopicSettings(k_values=(2, 3)))
    shares = {2: 0.66, 3: 0.34}
    monkeypatch.setattr(modeler, "_largest_share", lambda model, bows: shares[model])
    assert modeler._choose_k({2: 0.983, 3: 0.977}, {k: k for k in shares}, []) == 3
