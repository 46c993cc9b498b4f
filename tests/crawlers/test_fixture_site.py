"""The local fixture site behaves like the sources: pagination, GBK, 500s, a clock, Open311 filters."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from crawlers.fixture_site import serve_fixture_site


@pytest.fixture(scope="module")
def site():
    with serve_fixture_site(slow_s=0.05, n_board=40, n_gbk=30, n_reviews=50, n_open311=30) as running:
        yield running


def get(site, path: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(site.url + path, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_binds_localhost(site) -> None:
    assert site.url.startswith("http://127.0.0.1:")


def test_robots_disallows_admin(site) -> None:
    assert b"Disallow: /admin/" in get(site, "/robots.txt")[2]


def test_board_list_is_utf8(site) -> None:
    status, headers, body = get(site, "/board/list")
    assert status == 200 and headers["Content-Type"].endswith("charset=utf-8") and "领导留言板" in body.decode()


def test_board_pages(site) -> None:
    body = get(site, "/board/list?page=1")[2].decode()
    assert body.count('class="msg-item"') == 15 and "page=2" in body


def test_gbk_board_declares_and_uses_gbk(site) -> None:
    _, headers, body = get(site, "/gbk/list.asp")
    assert headers["Content-Type"].endswith("charset=GBK") and "市长信箱" in body.decode("gbk")


def test_gbk_bytes_are_not_utf8(site) -> None:
    body = get(site, "/gbk/list.asp")[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_failing_detail_is_500(site) -> None:
    sid = next(iter(site.site.content.failing))
    assert get(site, f"/board/thread/{sid}.html")[0] == 500


def test_list_page_two_fails_once_then_recovers(site) -> None:
    assert [get(site, "/board/list?page=2")[0] for _ in range(2)] == [500, 200]


def test_unknown_thread_404(site) -> None:
    assert get(site, "/board/thread/nope.html")[0] == 404


def test_clock_hides_future_posts(site) -> None:
    import re
    newest = site.site.content.board[-1].sid
    site.site.now -= timedelta(days=30)
    try:
        shown = re.findall(r'data-id="([^"]*)"', get(site, "/board/list")[2].decode())
        cutoff = site.site.now
    finally:
        site.site.now += timedelta(days=30)
    posts = {p.sid: p for p in site.site.content.board}
    assert newest not in shown and all(posts[s].visible_from <= cutoff for s in shown)


def test_reviews_json_paging(site) -> None:
    doc = json.loads(get(site, "/api/v1/reviews?page=1&limit=10")[2])
    assert len(doc["data"]["list"]) == 10 and doc["data"]["has_more"] is True


def test_reviews_page_four_is_truncated(site) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(get(site, "/api/v1/reviews?page=4&limit=10")[2])


def test_open311_services(site) -> None:
    services = json.loads(get(site, "/open311/v2/services.json")[2])
    assert {"service_code", "service_name", "metadata", "type"} <= set(services[0])


def test_open311_status_filter(site) -> None:
    rows = json.loads(get(site, "/open311/v2/requests.json?status=closed&page_size=200")[2])
    assert rows and {r["status"] for r in rows} == {"closed"}


def test_open311_updated_after_filter(site) -> None:
    rows = json.loads(get(site, "/open311/v2/requests.json?page_size=200")[2])
    cut = rows[len(rows) // 2]["updated_datetime"]
    later = json.loads(get(site, "/open311/v2/requests.json?page_size=200&updated_after="
                            + urllib.request.quote(cut))[2])
    assert later and all(r["updated_datetime"] > cut for r in later)


def test_open311_sorted_by_update(site) -> None:
    rows = json.loads(get(site, "/open311/v2/requests.json?page_size=200")[2])
    assert [r["updated_datetime"] for r in rows] == sorted(r["updated_datetime"] for r in rows)


def test_open311_single_request(site) -> None:
    sid = site.site.content.requests311[0].sid
    assert json.loads(get(site, f"/open311/v2/requests/{sid}.json")[2])[0]["service_request_id"] == sid


def test_open311_bad_date_param_is_400(site) -> None:
    assert get(site, "/open311/v2/requests.json?start_date=yesterday")[0] == 400


def test_hits_are_counted(site) -> None:
    get(site, "/robots.txt")
    assert site.site.hits["/robots.txt"] >= 1


def test_free_port_each_time() -> None:
    with serve_fixture_site(n_board=5, n_gbk=5, n_reviews=5, n_open311=5) as a, \
            serve_fixture_site(n_board=5, n_gbk=5, n_reviews=5, n_open311=5) as b:
        assert a.port != b.port
