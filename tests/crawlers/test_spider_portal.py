"""The portal spider on saved pages (UTF-8 and GBK boards), as bytes with their real URLs."""

from __future__ import annotations

from datetime import datetime

from scrapy import Request

from crawlers.items import DemandItem
from crawlers.state import CrawlMemory
from suqiu.model import SHANGHAI, RecordError, build_demand
from tests.crawlers.conftest import PAGES, saved


def _requests(results) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


# ---- UTF-8 board: list page
def test_list_follows_every_entry(portal) -> None:
    reqs = _requests(portal.parse(saved("board_list_p1.html")))
    assert sum(r.callback == portal.parse_detail for r in reqs) == 15


def test_list_detail_urls_are_absolute(portal) -> None:
    reqs = _requests(portal.parse(saved("board_list_p1.html")))
    assert reqs[0].url == "http://127.0.0.1:8765/board/thread/8800007.html"


def test_list_follows_next_page(portal) -> None:
    reqs = _requests(portal.parse(saved("board_list_p1.html")))
    assert [r.url for r in reqs if r.callback == portal.parse] == ["http://127.0.0.1:8765/board/list?page=2"]


def test_last_list_page_has_no_next(portal) -> None:
    reqs = _requests(portal.parse(saved("board_list_last.html")))
    assert not [r for r in reqs if r.callback == portal.parse]


def test_list_skips_stored_ids_and_stops_paging(portal) -> None:
    portal.memory = CrawlMemory(known={"8800007": "routed", "8800028": "routed"})
    reqs = _requests(portal.parse(saved("board_list_p1.html")))
    assert len(reqs) == 13 and all(r.callback == portal.parse_detail for r in reqs)


def test_full_crawl_ignores_stored_ids(portal) -> None:
    portal.full = True
    portal.memory = CrawlMemory(known={"8800007": "routed"})
    assert len(_requests(portal.parse(saved("board_list_p1.html")))) == 16


def test_detail_requests_have_errback(portal) -> None:
    reqs = _requests(portal.parse(saved("board_list_p1.html")))
    assert all(r.errback == portal.page_failed for r in reqs)


# ---- UTF-8 board: detail pages
def _replied(portal) -> DemandItem:
    return portal.parse_detail(saved("board_thread_replied.html"))


def test_detail_source_id_from_url(portal) -> None:
    assert _replied(portal).source_id == "8800651"


def test_detail_title(portal) -> None:
    assert _replied(portal).title == "请马上处理"


def test_detail_content(portal) -> None:
    assert _replied(portal).content.startswith("马上就要过春节了，五一中路工地老板")


def test_detail_received_at(portal) -> None:
    assert _replied(portal).received_at == datetime(2026, 11, 19, 14, 7, 10, tzinfo=SHANGHAI)


def test_detail_district(portal) -> None:
    assert _replied(portal).district == "台江区"


def test_detail_reply_text(portal) -> None:
    assert "劳动合同" in _replied(portal).reply_text


def test_detail_replied_by(portal) -> None:
    assert _replied(portal).replied_by == "区人社局"


def test_detail_replied_at(portal) -> None:
    assert _replied(portal).replied_at == datetime(2026, 11, 20, 11, 19, 53, tzinfo=SHANGHAI)


def test_detail_status_replied(portal) -> None:
    assert _replied(portal).status == "replied"


def test_detail_anonymous_author_kept_as_text(portal) -> None:
    assert _replied(portal).requester == "匿名"


def test_detail_votes(portal) -> None:
    item = portal.parse_detail(saved("board_thread_open.html"))
    assert (item.votes_up, item.votes_down) == (1, 1)


def test_open_detail_has_no_reply(portal) -> None:
    item = portal.parse_detail(saved("board_thread_open.html"))
    assert item.reply_text is None and item.status == "in_progress"  # 办理中


def test_detail_channel_and_url(portal) -> None:
    item = _replied(portal)
    assert (item.channel, item.url) == ("网站", "http://127.0.0.1:8765/board/thread/8800651.html")


def test_detail_validates(portal) -> None:
    demand = build_demand(_replied(portal).record_fields())
    assert demand.id == "portal:8800651"


def test_broken_detail_is_rejected_by_validation(portal) -> None:
    item = portal.parse_detail(saved("board_thread_broken.html"))
    try:
        build_demand(item.record_fields())
    except RecordError as exc:
        assert exc.field in ("received_at", "content")
    else:
        raise AssertionError("a page without body and time must not validate")


def test_broken_detail_keeps_page_head_for_quarantine(portal) -> None:
    item = portal.parse_detail(saved("board_thread_broken.html"))
    assert "mysql_fetch_array" in item.raw["page_head"]


def test_unreadable_date_is_kept_for_the_reason(portal) -> None:
    body = (PAGES / "board_thread_open.html").read_bytes().replace(b"2026-11-22 20:02:16", b"2026-13-45 25:61")
    item = portal.parse_detail(saved("board_thread_open.html", body))
    assert item.received_at == "2026-13-45 25:61"


def test_negative_votes_fail_validation(portal) -> None:
    body = (PAGES / "board_thread_open.html").read_bytes().replace(b'class="up">1<', b'class="up">-5<')
    item = portal.parse_detail(saved("board_thread_open.html", body))
    try:
        build_demand(item.record_fields())
    except RecordError as exc:
        assert exc.field == "votes_up"
    else:
        raise AssertionError("negative votes must not validate")


# ---- GBK board
def test_gbk_page_is_gbk_bytes() -> None:
    raw = (PAGES / "gbk_show_replied.html").read_bytes()
    assert "浦上大道".encode("gbk") in raw and "浦上大道".encode("utf-8") not in raw


def test_gbk_list_follows_entries(portal_gbk) -> None:
    reqs = _requests(portal_gbk.parse(saved("gbk_list_p1.html")))
    assert sum(r.callback == portal_gbk.parse_detail for r in reqs) == 20


def test_gbk_list_next_page(portal_gbk) -> None:
    reqs = _requests(portal_gbk.parse(saved("gbk_list_p1.html")))
    assert [r.url for r in reqs if r.callback == portal_gbk.parse] == ["http://127.0.0.1:8765/gbk/list.asp?page=2"]


def test_gbk_detail_title_decoded(portal_gbk) -> None:
    assert portal_gbk.parse_detail(saved("gbk_show_replied.html")).title == "浦上大道地铁施工夜间噪音扰民"


def test_gbk_detail_id_prefixed(portal_gbk) -> None:
    assert portal_gbk.parse_detail(saved("gbk_show_replied.html")).source_id == "gbk-8800042"


def test_gbk_detail_chinese_date(portal_gbk) -> None:
    item = portal_gbk.parse_detail(saved("gbk_show_replied.html"))
    assert item.received_at == datetime(2026, 11, 19, 17, 31, tzinfo=SHANGHAI)


def test_gbk_detail_closed_with_reply(portal_gbk) -> None:
    item = portal_gbk.parse_detail(saved("gbk_show_replied.html"))
    assert item.status == "closed" and item.replied_by == "区生态环境执法大队"


def test_gbk_detail_channel(portal_gbk) -> None:
    assert portal_gbk.parse_detail(saved("gbk_show_replied.html")).channel == "人民网留言板"


def test_gbk_stored_ids_use_prefix(portal_gbk) -> None:
    portal_gbk.memory = CrawlMemory(known={"gbk-8800168": "routed"})
    reqs = _requests(portal_gbk.parse(saved("gbk_list_p1.html")))
    assert len(reqs) == 19 and all(r.callback == portal_gbk.parse_detail for r in reqs)
