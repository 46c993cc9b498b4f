"""The profile (需求画像) and topic pages: every figure, escaped, under the same access rules as search."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.web.seed import HB, JT

JT_PROFILE = f"/profiles/{quote('department:' + JT + ':2026-W45')}"
HB_PROFILE = f"/profiles/{quote('department:' + HB + ':2026-W45')}"
DISTRICT_PROFILE = f"/profiles/{quote('district:鼓楼区:2026-W45')}"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('<article', 1)[1]))


def test_office_sees_a_profile_with_its_figures(as_user, seeded) -> None:
    resp = as_user("office").get(DISTRICT_PROFILE)
    assert resp.status_code == 200
    shown = text(resp.text)
    assert "鼓楼区 · 2026-W45 需求画像" in shown and "区县" in shown
    for figure in ("3 件（去重后 3 件）", "上周 1 件，变化 +2（200%）", "未办结 2 件", "已答复 1 件（33%）",
                   "答复用时中位数 30.0 小时", "满意 1", "公交、噪音", "负面 2", "紧急 1 件", "未归入主题 1 件"):
        assert figure in shown, figure
    assert f'href="/records/{quote(seeded["1001"])}"' in resp.text and 'href="/topics/1"' in resp.text


def test_profile_representatives_are_escaped(as_user) -> None:
    html = as_user("office").get(HB_PROFILE).text
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_department_sees_its_own_profile_only(as_user) -> None:
    c = as_user("jt")
    assert c.get(JT_PROFILE).status_code == 200
    assert 'href="/topics/' not in c.get(JT_PROFILE).text  # topics are not for departments
    for url in (HB_PROFILE, DISTRICT_PROFILE, "/topics/1", "/topics/2"):
        resp = c.get(url, headers={"accept": "text/html"})
        assert resp.status_code == 404 and "未找到" in resp.text and "黑臭" not in resp.text


def test_department_alias_in_the_url_is_not_a_way_around(as_user) -> None:
    assert as_user("jt").get(f"/profiles/{quote('department:环保局:2026-W45')}").status_code == 404


def test_public_sees_no_profiles_or_topics(as_user) -> None:
    """Aggregates are internal: their headlines come from every channel, hotline work orders too."""
    c = as_user("pub")
    assert c.get(DISTRICT_PROFILE).status_code == 404 and c.get("/topics/2").status_code == 404


def test_topic_page_lists_keywords_representatives_and_links_to_its_demands(as_user, seeded) -> None:
    c = as_user("office")
    html = c.get("/topics/1").text
    shown = text(html)
    assert "主题：公交 站台" in shown and "3 件" in shown and "公交、站台" in shown and "公交站台损坏" in shown
    search = re.search(r'href="(/search\?kind=demand&amp;topic=1)"', html).group(1).replace("&amp;", "&")
    listed = c.get(search).text
    assert 'id="total">3<' in listed


def test_unknown_profile_and_topic_are_404(as_user) -> None:
    c = as_user("office")
    assert c.get(f"/profiles/{quote('district:不存在区:2026-W45')}").status_code == 404
    assert c.get("/topics/999").status_code == 404
    assert c.get("/topics/abc").status_code in (404, 422)


def test_pages_need_a_login(client) -> None:
    resp = client.get(DISTRICT_PROFILE, follow_redirects=False)
    assert resp.status_code in (302, 303) and "/login" in resp.headers["location"]
