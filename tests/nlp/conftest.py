"""A small gazetteer configuration shared by the NLP tests (made up, not the shipped city)."""

import pytest

from suqiu.config import parse_config

TOML_LIKE = {
    "districts": [
        {"name": "东湖区", "aliases": ["东湖"], "streets": ["青柳街道"], "communities": ["桂香社区"],
         "roads": ["望江北路", "长宁路"], "estates": ["银杏苑小区"]},
        {"name": "西岭区", "streets": ["石桥镇"], "communities": ["枫林社区"], "roads": ["长宁路", "松风大道"],
         "estates": ["翠竹新村"]},
    ],
    "departments": [{"name": "住房和城乡建设局", "aliases": ["住建局"], "keywords": ["物业"]}],
    "text": {"demand_terms": ["噪音扰民", "拖欠工资", "12345", "维修基金"], "stop_words": ["麻烦您"]},
}


@pytest.fixture(scope="session")
def small_config():
    return parse_config(TOML_LIKE)


@pytest.fixture(scope="session")
def segmenter(small_config):
    from nlp.segment import Segmenter
    return Segmenter.from_config(small_config).warm()
