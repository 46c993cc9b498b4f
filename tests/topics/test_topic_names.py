"""Topic names from the demands a topic holds (nlp.topic_names): pure functions on token lists."""

from __future__ import annotations

import pytest

from nlp.topic_names import (
    NamingSettings,
    choose_phrases,
    doc_freq,
    join_name,
    name_groups,
    phrase_candidates,
    pos_weight,
)

# three themes; 小区 is everywhere, 漏水 only in a few property letters
PROPERTY = [["物业", "电梯", "小区", "维修基金"], ["物业", "电梯", "小区"], ["物业", "漏水", "小区", "电梯"],
            ["电梯", "维修基金", "小区"], ["物业", "电梯", "小区"]]
SCHOOL = [["学校", "补课", "小区"], ["学校", "老师", "补课"], ["学校", "补课", "家长"], ["学校", "老师", "小区"]]
NOISE = [["噪音扰民", "工地", "夜间"], ["噪音扰民", "工地", "小区"], ["噪音扰民", "酒吧"]]
DOCS = PROPERTY + SCHOOL + NOISE
GROUPS = ["p"] * len(PROPERTY) + ["s"] * len(SCHOOL) + ["n"] * len(NOISE)


def test_names_pick_shared_and_specific_phrases():
    names = name_groups(DOCS, GROUPS, {})
    assert names["p"][:2] == ["电梯", "物业"]
    assert names["s"][:2] == ["学校", "补课"]
    assert names["n"][0] == "噪音扰民"
    assert "小区" not in names["s"] + names["n"]   # common everywhere: it names no theme it is not typical of
    assert names["p"].index("小区") > 1           # and ranks below what the property letters share


def test_a_name_has_two_to_four_phrases():
    names = name_groups(DOCS, GROUPS, {})
    assert all(2 <= len(n) <= 4 for n in names.values()), names


def test_phrases_used_by_too_few_demands_do_not_name():
    names = name_groups(DOCS, GROUPS, {})
    assert "漏水" not in names["p"]   # 1 of 5 demands; min_docs is 2


def test_weak_kinds_of_words_lose_to_things():
    docs = [["突然", "关门", "健身房"], ["突然", "关门", "健身房"], ["突然", "退款", "健身房"], ["物业", "电梯"]]
    weight = {"突然": 0.2}.get
    names = name_groups(docs, ["g", "g", "g", None], {}, weight=lambda w: weight(w, 1.0))
    assert names["g"][0] == "健身房" and "突然" not in names["g"][:2]


def test_a_phrase_inside_a_longer_one_is_one_candidate():
    cands = [(3.0, "清运", 0.9), (2.8, "垃圾清运", 0.8), (1.0, "气味", 0.4)]
    assert choose_phrases(cands, NamingSettings()) == ["垃圾清运", "气味"]
    cands = [(3.0, "清运", 0.9), (2.8, "垃圾清运", 0.3), (1.0, "气味", 0.4)]
    assert choose_phrases(cands, NamingSettings()) == ["清运", "气味"]   # the longer one is too rare


def test_a_short_name_is_filled_from_the_model_keywords():
    names = name_groups([["物业", "电梯"]], ["g"], {"g": ["物业", "绿化"], "empty": ["公交", "站点"]})
    assert names["empty"] == ["公交", "站点"]          # no demands of its own: the keywords
    assert len(names["g"]) >= 2 and all(len(p) >= 2 for p in names["g"])


def test_single_characters_never_name():
    names = name_groups([["电", "梯", "物业"], ["电", "物业"], ["学校"]], ["g", "g", None], {})
    assert all(len(p) >= 2 for p in names["g"])


def test_candidates_score_share_squared_times_lift():
    df = doc_freq(DOCS)
    cands = {w: (sc, share) for sc, w, share in phrase_candidates(PROPERTY, [], df, len(DOCS))}
    assert cands["电梯"][1] == 1.0 and cands["物业"][1] == 0.8
    assert cands["电梯"][0] > cands["物业"][0] > cands["小区"][0]


def test_group_of_must_match_docs():
    with pytest.raises(ValueError, match="group_of"):
        name_groups(DOCS, GROUPS[:-1], {})


def test_join_name():
    assert join_name(["噪音扰民", "夜间施工"]) == "噪音扰民·夜间施工"


def test_part_of_speech_weights_from_jieba():
    weight = pos_weight()
    assert weight("电梯") == 1.0 and weight("维修基金") == 1.0      # noun; a term jieba does not know
    assert weight("拒载") == pytest.approx(0.6)                     # verb
    assert weight("突然") == pytest.approx(0.2) and weight("五六次") == pytest.approx(0.2)
    assert weight("几百户") == pytest.approx(0.2)                   # an unknown amount
