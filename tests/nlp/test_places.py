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


# ---------------------------------------------------------------- coordinates (issue 17)
def _located_config():
    from suqiu.config import parse_config
    return parse_config({"districts": [
        {"name": "鼓楼区", "aliases": ["鼓楼"], "roads": ["五四路", "工业路"], "estates": ["屏西小区"],
         "landmarks": ["西湖公园"], "center": [119.26, 26.10],
         "coordinates": {"五四路": [119.27, 26.11], "屏西小区": [119.22, 26.13], "西湖公园": [119.24, 26.12],
                         "工业路": [119.27, 26.09]}},
        {"name": "台江区", "roads": ["工业路"], "coordinates": {"工业路": [119.31, 26.05]}},
    ]})


def test_gazetteer_places_carry_their_configured_coordinates():
    from nlp.places import Gazetteer
    g = Gazetteer.from_config(_located_config())
    assert g.point_of("五四路") == {"lon": 119.27, "lat": 26.11}
    assert g.point_of("鼓楼区") == {"lon": 119.26, "lat": 26.10}    # the district's centre
    assert g.point_of("西湖公园") == {"lon": 119.24, "lat": 26.12}   # a landmark is a gazetteer place too
    assert g.point_of("工业路") == {}                                # two districts, two points: none
    assert g.point_of("火星路") == {}


def test_extracted_places_have_points_and_the_finest_is_the_demands():
    from nlp.places import PlaceExtractor, place_point
    ex = PlaceExtractor.from_config(_located_config())
    places = ex.extract(["鼓楼", "五四路", "屏西小区", "楼下", "西湖公园", "旁边"])
    by_name = {p["name"]: p for p in places}
    assert by_name["鼓楼区"]["lon"] == 119.26 and by_name["西湖公园"]["level"] == "landmark"
    assert place_point(places) == (119.22, 26.13)                   # the 小区 beats the road and the district
    assert place_point([p for p in places if p["level"] != "estate"]) == (119.24, 26.12)
    assert place_point([{"name": "某路", "level": "road", "source": "pattern"}]) is None


def test_coordinates_must_name_a_place_of_the_district():
    from suqiu.config import ConfigError, parse_config
    with pytest.raises(ConfigError) as exc:
        parse_config({"districts": [{"name": "鼓楼区", "roads": ["五四路"], "coordinates": {"五一路": [119.3, 26.1]}}]})
    assert exc.value.key.startswith("districts[0]") and "五一路" in exc.value.reason
    with pytest.raises(ConfigError) as exc:
        parse_config({"districts": [{"name": "鼓楼区", "center": [200, 26.1]}]})
    assert "districts[0].center" in exc.value.key


def test_old_configs_without_coordinates_stay_valid():
    from nlp.places import Gazetteer
    from suqiu.config import parse_config
    g = Gazetteer.from_config(parse_config({"districts": [{"name": "鼓楼区", "roads": ["五四路"]}]}))
    assert g.point_of("五四路") == {} and g.point_of("鼓楼区") == {}
