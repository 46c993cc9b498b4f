"""Site profiles are configuration: the shipped ones load, bad ones name the key to fix."""

from __future__ import annotations

import pytest

from crawlers.site_profiles import PortalProfile, load_profile
from suqiu.config import ConfigError
from tests.crawlers.conftest import shipped_source

PORTAL = {"list_item": "li", "list_link": "a::attr(href)", "fields": {"content": "div.c"}}


@pytest.mark.parametrize("name", ["portal", "portal_gbk", "reviews", "open311"])
def test_shipped_profiles_load(name: str) -> None:
    _, src = shipped_source(name)
    assert load_profile(src.kind, src.options, name) is not None


def test_fixture_url_is_filled_from_config() -> None:
    cfg, src = shipped_source("portal")
    assert cfg.source_url(src) == f"http://127.0.0.1:{cfg.fixture_site.port}/board/list"


def test_minimal_portal_profile() -> None:
    assert isinstance(load_profile("portal", PORTAL), PortalProfile)


def test_unknown_option_names_key() -> None:
    with pytest.raises(ConfigError) as exc:
        load_profile("portal", {**PORTAL, "lst_item": "x"}, "city_b")
    assert exc.value.key == "sources[city_b].options.lst_item"


def test_unknown_field_rejected() -> None:
    with pytest.raises(ConfigError, match="unknown record field 'colour'"):
        load_profile("portal", {**PORTAL, "fields": {"content": "p", "colour": "x"}})


def test_portal_needs_text_field() -> None:
    with pytest.raises(ConfigError, match="neither 'content' nor 'title'"):
        load_profile("portal", {**PORTAL, "fields": {"district": "p"}})


def test_id_pattern_needs_group() -> None:
    with pytest.raises(ConfigError, match="capturing group"):
        load_profile("portal", {**PORTAL, "id_pattern": r"\d+"})


def test_missing_required_option() -> None:
    with pytest.raises(ConfigError) as exc:
        load_profile("portal", {"list_link": "a", "fields": {"content": "p"}}, "x")
    assert exc.value.key == "sources[x].options.list_item"


def test_reviews_need_source_id() -> None:
    with pytest.raises(ConfigError, match="source_id"):
        load_profile("reviews", {"items_path": "data", "fields": {"content": "text"}})


def test_rating_scale_positive() -> None:
    with pytest.raises(ConfigError):
        load_profile("reviews", {"items_path": "d", "rating_scale": 0,
                                 "fields": {"content": "t", "source_id": "id"}})
