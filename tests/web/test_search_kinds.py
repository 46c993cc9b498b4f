"""The search page's kind selector: demands, profiles (需求画像) and topics, each under the access rules."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.web.seed import HB, JT

JT_PROFILE = f"{JT} · 2026-W45 需求画像"
HB_PROFILE = f"{HB} · 2026-W45 需求画像"
DISTRICT_PROFILE = "鼓楼区 · 2026-W45 需求画像"
TOPICS = ("主题：公交 站台", "主题：噪音 施工")


def titles(html: str) -> set[str]:
    """Titles of the result list's hits (facet headings are h3 too, outside the list)."""
    hits = html.split('<ol class="hits">')[1].split("</ol>")[0] if '<ol class="hits">' in html else ""
    return set(re.findall(r"<h3>(?:<a [^>]*>)?([^<]+)", hits))


def kind_options(html: str) -> list[str]:
    select = html.split('name="kind"')[1].split("</select>")[0]
    return re.findall(r'<option value="(\w+)"', select)


def test_default_search_shows_no_profile_or_topic(as_user) -> None:
    html = as_user("office").get("/search?q=公交").text
    assert not titles(html) & {JT_PROFILE, DISTRICT_PROFILE, *TOPICS}
    assert "条诉求" in html


def test_office_finds_profiles(as_user) -> None:
    html = as_user("office").get("/search?kind=profile").text
    assert {JT_PROFILE, HB_PROFILE, DISTRICT_PROFILE} <= titles(html)
    assert 'id="total">3<' in html and "条需求画像" in html
    assert 'href="/records/' not in html  # no detail page for a profile
    assert 'data-facet="dimension"' in html and "承办部门" in html


def test_office_finds_topics_by_text(as_user) -> None:
    html = as_user("office").get("/search?kind=topic&q=公交").text
    assert titles(html) == {"主题：公交 站台"} and "首次出现" in html and 'href="/records/' not in html


def test_profile_filters_are_kept_in_links(as_user) -> None:
    html = as_user("office").get("/search?kind=profile&dimension=department").text
    assert titles(html) == {JT_PROFILE, HB_PROFILE}
    # the chip that removes the filter stays in the profile search
    assert 'href="/search?kind=profile" title="移除此条件"' in html


def test_department_sees_only_its_own_profile(as_user) -> None:
    html = as_user("jt").get("/search?kind=profile").text
    assert titles(html) == {JT_PROFILE} and HB not in html.split("</form>")[1]


def test_department_gets_no_topics_and_no_topic_option(as_user) -> None:
    c = as_user("jt")
    assert kind_options(c.get("/search").text) == ["demand", "profile"]
    html = c.get("/search?kind=topic&q=公交").text
    assert not titles(html) & set(TOPICS) and 'id="total">0<' in html


def test_department_cannot_widen_profiles_by_filter(as_user) -> None:
    html = as_user("jt").get(f"/search?kind=profile&department={quote(HB)}").text
    assert HB_PROFILE not in html and 'id="total">0<' in html


def test_office_gets_every_kind_option_and_the_public_demands_only(as_user) -> None:
    assert kind_options(as_user("office").get("/search").text) == ["demand", "profile", "topic"]
    assert kind_options(as_user("pub").get("/search").text) == ["demand"]


def test_public_sees_no_profiles_or_topics(as_user) -> None:
    c = as_user("pub")
    assert DISTRICT_PROFILE not in titles(c.get("/search?kind=profile").text)
    assert not set(TOPICS) & titles(c.get("/search?kind=topic").text)


def test_unknown_kind_is_a_demand_search(as_user) -> None:
    html = as_user("office").get("/search?kind=<script>").text
    assert "条诉求" in html and "<script>" not in html.split("<main>")[1]


def test_demand_only_filters_do_not_empty_a_profile_search(as_user) -> None:
    html = as_user("office").get("/search?kind=profile&status=routed&overdue=1").text
    assert 'id="total">3<' in html and 'name="overdue"' not in html


def test_profile_headline_is_escaped(as_user) -> None:
    html = as_user("office").get("/search?kind=profile&q=黑臭水体").text
    assert HB_PROFILE in titles(html)
    assert "<script>alert('xss')" not in html and "&lt;script&gt;" in html
