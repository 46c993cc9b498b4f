"""分级分类 rules (nlp.classification): sensitivity from cues, publication from source and category."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from nlp.classification import BUILT_IN, Classifier
from suqiu.config import ClassificationConfig, Config, load_config, parse_config


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(Path("/nonexistent-suqiu-home"))


@pytest.fixture(scope="module")
def clf(config) -> Classifier:
    return Classifier.from_config(config)


@pytest.mark.parametrize("text,department", [
    ("实名举报住建局工作人员吃拿卡要，收受开发商好处", "住房和城乡建设局"),
    ("举报：城管执法人员暴力执法，把摊主打伤", "城市管理局"),
    ("我要检举人社局某科长收受红包", "人力资源和社会保障局"),
    ("举报某某局工作人员上班时间打牌", None),
    ("揭发村干部私分征地补偿款", None),
    ("举报派出所民警包庇赌场", None),
])
def test_reports_against_a_unit_or_a_person_are_office_only(clf, text, department):
    levels = clf.classify("portal", None, text)
    assert (levels.publication, levels.sensitivity) == ("office_only", "report")
    assert levels.reported == ((department,) if department else ())
    assert levels.reasons and levels.reasons[0].startswith("举报件")


@pytest.mark.parametrize("text", [
    "举报小区旁边工地夜间施工噪音扰民",          # a report, but against no unit or person
    "举报某公司偷排污水，河道发臭",               # an enterprise: the environment bureau handles it
    "我向有关部门举报过很多次，举报电话一直打不通",
    "举报后将第一时间调派执法人员",               # the cue is temporal
    "多次举报到县国土局，一直没人管",             # the unit is whom it was reported to
    "举报人要求保密，反映路口局部积水",           # 局部 is no unit
    "举报，楼下的局面很乱",                       # a clause ends between cue and target
])
def test_other_reports_stay_normal(clf, text):
    assert clf.classify("hotline", None, text).sensitivity == "normal"


@pytest.mark.parametrize("text,kind", [
    ("业主们准备明天集体上访，到市政府门口拉横幅", "stability"),
    ("工人罢工讨薪，扬言跳楼", "stability"),
    ("单位把涉密文件随意丢弃在垃圾桶", "secret"),
    ("涉密单位门口集体上访", "secret"),            # the strongest sensitivity wins
])
def test_stability_and_secret_cues_are_office_only(clf, text, kind):
    levels = clf.classify("portal", None, text)
    assert (levels.publication, levels.sensitivity) == ("office_only", kind)


@pytest.mark.parametrize("text", ["商家跳楼价甩卖，东西不错", "电梯隔三差五就罢工", "楼下有人聚众赌博",
                                  "他扬言谁告他谁倒霉"])
def test_everyday_words_are_no_stability_cue(clf, text):
    assert clf.classify("review", None, text).sensitivity == "normal"


def test_publication_by_source(clf):
    assert clf.classify("portal", None, "小区路灯坏了").publication == "public"
    assert clf.classify("review", None, "饭菜好吃").publication == "public"
    assert clf.classify("hotline", None, "小区路灯坏了").publication == "internal"
    assert clf.classify("open311", None, "小区路灯坏了").publication == "internal"


def test_categories_and_default_are_configurable():
    rules = ClassificationConfig(public_categories=["城市管理"], internal_categories=["信访"],
                                 category_sensitivity={"纪检监察": "report"}, default="office_only")
    clf = Classifier(rules)
    assert clf.classify("hotline", "城市管理", "路灯坏了").publication == "public"
    assert clf.classify("portal", "信访", "路灯坏了").publication == "internal"
    assert clf.classify("hotline", "纪检监察", "路灯坏了").sensitivity == "report"
    assert clf.classify("hotline", None, "路灯坏了").publication == "office_only"


def test_cue_lists_come_from_the_configuration():
    clf = Classifier(ClassificationConfig(stability_cues=["聚集"], report_cues=[]))
    assert clf.classify("portal", None, "广场舞人员聚集").sensitivity == "stability"
    assert clf.classify("portal", None, "实名举报住建局工作人员").sensitivity == "normal"


def test_the_shipped_file_spells_out_the_built_in_lists(config):
    shipped = tomllib.loads((Path(__file__).resolve().parents[2] / "suqiu" / "default_config.toml")
                            .read_text(encoding="utf-8"))["classification"]
    assert {k: shipped[k] for k in BUILT_IN} == BUILT_IN
    # an older suqiu.toml without the lists classifies as the shipped one does
    assert Classifier(ClassificationConfig()).cues == Classifier.from_config(config).cues


def test_fingerprint_follows_every_rule_and_the_departments(config):
    base = Classifier.from_config(config).fingerprint()
    assert Classifier.from_config(config).fingerprint() == base
    changed = parse_config({**config.model_dump(), "classification": {"stability_cues": ["x"]}})
    assert Classifier.from_config(changed).fingerprint() != base
    fewer = parse_config({**config.model_dump(), "departments": config.model_dump()["departments"][1:]})
    assert Classifier.from_config(fewer).fingerprint() != base


def test_bad_levels_in_the_configuration_name_the_key(config):
    from suqiu.config import ConfigError
    with pytest.raises(ConfigError) as exc:
        parse_config({"classification": {"default": "secret"}})
    assert exc.value.key == "classification.default"
    with pytest.raises(ConfigError) as exc:
        parse_config({"classification": {"public_fields": ["address"]}})
    assert exc.value.key.startswith("classification.public_fields")
