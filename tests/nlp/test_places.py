"""Places: gazetteer look-up with the district each name implies, suffix patterns for the rest."""

import pytest

from nlp.places import Gazetteer, PlaceExtractor


@pytest.fixture(scope="module")
def places(small_config):
    return PlaceExtractor.from_config(small_config)


def found(places, segmenter, text):
    return {p["name"]: p for p in places.extract(segmenter.cut(text))}


def test_street_implies_its_district(places, segmenter):
    got = found(places, segmenter, "青柳街道路灯不亮")
    assert got["青柳街道"]["level"] == "street" and got["青柳街道"]["district"] == "东湖区"


def test_estate_and_community(places, segmenter):
    got = found(places, segmenter, "枫林社区翠竹新村停水")
    assert got["枫林社区"]["level"] == "community" and got["翠竹新村"]["level"] == "estate"


def test_district_alias_maps_to_canonical_name(places, segmenter):
    got = found(places, segmenter, "东湖这边的路灯坏了")
    assert got["东湖区"]["level"] == "district"


def test_road_in_two_districts_is_ambiguous(places, segmenter):
    assert found(places, segmenter, "长宁路积水")["长宁路"]["district"] == ""


def test_pattern_finds_unknown_road(places, segmenter):
    got = found(places, segmenter, "联丰路米兰春天小区门口")
    assert got["联丰路"]["source"] == "pattern" and got["联丰路"]["level"] == "road"


def test_generic_words_are_not_places(places, segmenter):
    got = found(places, segmenter, "这条马路和道路都坏了,小区里也是,农村也是")
    assert not got


def test_infer_district_from_street(places, segmenter):
    ps = places.extract(segmenter.cut("石桥镇垃圾清运不及时"))
    assert places.infer_district(ps) == "西岭区"


def test_infer_district_none_when_only_ambiguous_road(places, segmenter):
    assert places.infer_district(places.extract(segmenter.cut("长宁路积水"))) is None


def test_infer_district_tie_gives_none(places, segmenter):
    ps = places.extract(segmenter.cut("青柳街道和石桥镇"))
    assert places.infer_district(ps) is None


def test_stronger_evidence_wins(places, segmenter):
    ps = places.extract(segmenter.cut("东湖区松风大道"))
    assert places.infer_district(ps) == "东湖区"


def test_empty_gazetteer_still_finds_patterns(segmenter):
    ex = PlaceExtractor(Gazetteer())
    names = {p["name"] for p in ex.extract(segmenter.cut("望江北路积水"))}
    assert "望江北路" in names
