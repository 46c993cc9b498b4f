"""Pipelines, one job each, against a real store."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.items import DemandItem, FailedPage
from crawlers.pipelines import QuarantinePipeline, RunStatsPipeline, StorePipeline, ValidatePipeline
from suqiu.model import SHANGHAI


def good(**kw) -> DemandItem:
    base = dict(source="portal", source_id="101", channel="网站", received_at=datetime(2026, 11, 2, 9, tzinfo=SHANGHAI),
                title="路灯不亮", content="五四路路灯坏了一个月", source_name="portal",
                source_ref="http://127.0.0.1:8765/board/thread/101.html", raw={"k": "v"})
    base.update(kw)
    return DemandItem(**base)


@pytest.fixture
def stats():
    return get_crawler().stats


@pytest.fixture
def pipes(store, stats):
    url = store.url
    run = RunStatsPipeline(url, "portal", stats)
    q, s = QuarantinePipeline(url, stats), StorePipeline(url, stats, batch_size=1)
    for p in (run, q, s):
        p.open_spider()
    yield ValidatePipeline(stats), q, s, run
    for p in (s, q, run):
        p.close_spider()


def flow(pipes, item):
    v, q, s, _ = pipes
    return s.process_item(q.process_item(v.process_item(item)))


def test_validate_sets_demand(stats) -> None:
    item = ValidatePipeline(stats).process_item(good())
    assert item.demand is not None and item.error is None


def test_validate_names_bad_field(stats) -> None:
    item = ValidatePipeline(stats).process_item(good(received_at="2026-13-45 25:61"))
    assert item.demand is None and item.error_field == "received_at"


def test_validate_passes_other_items(stats) -> None:
    page = FailedPage("portal", "http://x", "HTTP 500 after retries")
    assert ValidatePipeline(stats).process_item(page) is page


def test_validate_stamps_run_id(stats) -> None:
    stats.set_value("suqiu/run_id", "crawl-test")
    assert ValidatePipeline(stats).process_item(good()).demand.crawl_run == "crawl-test"


def test_good_item_is_stored(pipes, store) -> None:
    flow(pipes, good())
    assert store.get("portal:101")["title"] == "路灯不亮"


def test_store_counts_new_then_unchanged(pipes, stats) -> None:
    flow(pipes, good())
    flow(pipes, good())
    assert (stats.get_value("suqiu/new"), stats.get_value("suqiu/unchanged")) == (1, 1)


def test_reply_picked_up_is_an_update_with_history(pipes, store, stats) -> None:
    flow(pipes, good(status="routed"))
    flow(pipes, good(status="replied", reply_text="已修复", replied_at=datetime(2026, 11, 3, tzinfo=SHANGHAI)))
    assert stats.get_value("suqiu/updated") == 1
    assert {h["field"] for h in store.history("portal:101")} >= {"status", "reply_text"}


def test_bad_item_is_dropped(pipes) -> None:
    with pytest.raises(DropItem):
        flow(pipes, good(content="", title=""))


def test_bad_item_is_quarantined_with_reason_and_payload(pipes, store) -> None:
    with pytest.raises(DropItem):
        flow(pipes, good(content="", title="", raw={"fields": {"title": ""}}))
    [row] = store.quarantined("portal")
    assert row["field"] == "content" and "empty" in row["reason"] and '"fields"' in row["payload"]


def test_quarantine_keeps_source_ref(pipes, store) -> None:
    with pytest.raises(DropItem):
        flow(pipes, good(source_id=""))
    assert store.quarantined("portal")[0]["source_ref"].endswith("/thread/101.html")


def test_same_bad_item_quarantined_once(pipes, store, stats) -> None:
    for _ in range(2):
        with pytest.raises(DropItem):
            flow(pipes, good(votes_up=-3))
    assert len(store.quarantined("portal")) == 1
    assert (stats.get_value("suqiu/quarantined"), stats.get_value("suqiu/quarantined_new")) == (2, 1)


def test_failed_page_quarantined(pipes, store) -> None:
    with pytest.raises(DropItem):
        flow(pipes, FailedPage("portal", "http://127.0.0.1:8765/x", "HTTP 500 after retries", {"status": 500}))
    assert store.quarantined("portal")[0]["reason"] == "HTTP 500 after retries"


def test_bad_item_not_stored(pipes, store) -> None:
    with pytest.raises(DropItem):
        flow(pipes, good(received_at="昨天"))
    assert store.get("portal:101") is None


def test_run_recorded_with_stats(pipes, store, stats) -> None:
    flow(pipes, good())
    stats.set_value("response_received_count", 3)
    run = pipes[3]
    run.close_spider()
    [row] = [r for r in store.recent_runs() if r["id"] == run.run_id]
    assert row["status"] == "ok" and row["source"] == "portal"
    assert {k: row["stats"][k] for k in ("pages", "items", "new", "quarantined")} == \
        {"pages": 3, "items": 1, "new": 1, "quarantined": 0}


def test_run_stats_shown_in_status(pipes, store, stats) -> None:
    pipes[3].close_spider()
    assert store.status()["runs"][0]["kind"] == "crawl"


def test_cursor_not_advanced_after_failure(pipes, stats) -> None:
    stats.set_value("suqiu/cursor_prev", "2026-10-01T00:00:00+08:00")
    stats.set_value("suqiu/cursor", "2026-11-01T00:00:00+08:00")
    stats.set_value("suqiu/cursor_blocked", True)
    assert pipes[3].summary()["cursor"] == "2026-10-01T00:00:00+08:00"


def test_cursor_advanced_after_clean_run(pipes, stats) -> None:
    stats.set_value("suqiu/cursor_prev", "2026-10-01T00:00:00+08:00")
    stats.set_value("suqiu/cursor", "2026-11-01T00:00:00+08:00")
    assert pipes[3].summary()["cursor"] == "2026-11-01T00:00:00+08:00"


def test_from_crawler_needs_store_url() -> None:
    from scrapy.exceptions import NotConfigured
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(get_crawler())


def test_from_crawler_reads_settings(store) -> None:
    crawler = get_crawler(settings_dict={"SUQIU_STORE_URL": store.url, "SUQIU_SOURCE_NAME": "portal_gbk"})
    assert RunStatsPipeline.from_crawler(crawler).source_name == "portal_gbk"


def demand(sid: str) -> DemandItem:
    """A validated item, as the store pipeline receives it."""
    return ValidatePipeline(get_crawler().stats).process_item(good(source_id=sid))


@pytest.fixture
def batched(store, stats):
    pipe = StorePipeline(store.url, stats, batch_size=3)
    pipe.open_spider()
    yield pipe
    pipe.close_spider()


def test_batch_waits_until_full(batched, store) -> None:
    for sid in ("1", "2"):
        batched.process_item(demand(sid))
    assert store.count() == 0


def test_full_batch_written_in_one_go(batched, store, stats) -> None:
    for sid in ("1", "2", "3"):
        batched.process_item(demand(sid))
    assert (store.count(), stats.get_value("suqiu/store_batches"), stats.get_value("suqiu/new")) == (3, 1, 3)


def test_close_writes_what_is_left(store, stats) -> None:
    pipe = StorePipeline(store.url, stats, batch_size=50)
    pipe.open_spider()
    for sid in ("1", "2"):
        pipe.process_item(demand(sid))
    pipe.close_spider()
    assert store.count() == 2 and stats.get_value("suqiu/new") == 2


def test_same_demand_twice_in_a_batch_counts_as_two_calls(batched, store, stats) -> None:
    for _ in range(2):
        batched.process_item(demand("7"))
    batched.flush()
    assert (store.count(), stats.get_value("suqiu/new"), stats.get_value("suqiu/unchanged")) == (1, 1, 1)


def test_batch_size_from_settings(store) -> None:
    crawler = get_crawler(settings_dict={"SUQIU_STORE_URL": store.url, "SUQIU_STORE_BATCH": 7})
    assert StorePipeline.from_crawler(crawler).batch_size == 7
