"""Real crawls of the live local fixture site, each in a child process (the reactor cannot restart).

Each source is crawled, crawled again (nothing new), and where the site's clock can move, crawled
after new posts and late replies appeared. Each sequence runs once per module; tests read it.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crawlers.fixture_site import serve_fixture_site
from crawlers.run import crawl_in_subprocess

pytestmark = pytest.mark.slow

SIZES = {"n_board": 60, "n_gbk": 30, "n_reviews": 90, "n_open311": 40}


def _home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from suqiu.installation import write_default_config
    home = tmp_path_factory.mktemp("crawl-home")
    write_default_config(home)
    return home


def _env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU_")}
    env["SUQIU__FIXTURE_SITE__PORT"] = str(port)
    return env


def _store(home: Path):
    from suqiu.installation import Installation
    return Installation.load(home, environ={}).store


@pytest.fixture(scope="module")
def portal_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """First crawl through the CLI three days before the site's end, again, then at the end."""
    home = _home(tmp_path_factory)
    with serve_fixture_site(slow_s=0.3, **SIZES) as site:
        end = site.site.now
        site.site.now = end - timedelta(days=3)
        env = _env(site.port)
        from suqiu.cli import app
        cli = CliRunner().invoke(app, ["crawl", "portal", "--json", "--home", str(home)], env=env)
        first = json.loads(cli.stdout.strip().splitlines()[-1]) if cli.exit_code == 0 else {"cli": cli.output}
        store = _store(home)
        after_first = {"records": store.count(), "quarantine": len(store.quarantined("portal"))}
        second = crawl_in_subprocess(home, "portal", env=env)
        after_second = {"records": store.count(), "quarantine": len(store.quarantined("portal"))}
        site.site.now = end
        third = crawl_in_subprocess(home, "portal", env=env)
        hits = dict(site.site.hits)
        content = site.site.content
    return {"home": home, "first": first, "second": second, "third": third, "after_first": after_first,
            "after_second": after_second, "hits": hits, "content": content, "store": store, "end": end}


def test_cli_crawl_lands_records(portal_runs) -> None:
    first = portal_runs["first"]
    assert first.get("new", 0) > 20 and first["new"] == portal_runs["after_first"]["records"]


def test_first_crawl_counts_pages(portal_runs) -> None:
    assert portal_runs["first"]["pages"] > portal_runs["first"]["new"]


def test_broken_and_failing_pages_quarantined(portal_runs) -> None:
    reasons = [q["reason"] for q in portal_runs["store"].quarantined("portal")]
    assert any(r.startswith("HTTP 500") for r in reasons)
    assert any(r.startswith(("content", "received_at")) for r in reasons)


def test_failed_page_counted_as_error(portal_runs) -> None:
    assert portal_runs["first"]["errors"] >= 1 and portal_runs["first"]["retries"] >= 1


def test_transient_500_recovered_by_retry(portal_runs) -> None:
    assert portal_runs["hits"]["/board/list"] >= 4  # page 2 failed once and was fetched again


def test_second_crawl_adds_nothing(portal_runs) -> None:
    second = portal_runs["second"]
    assert (second["new"], second["updated"], second["quarantined_new"]) == (0, 0, 0)


def test_second_crawl_keeps_store_as_is(portal_runs) -> None:
    assert portal_runs["after_second"] == portal_runs["after_first"]


def test_second_crawl_stops_at_stored_ids(portal_runs) -> None:
    assert portal_runs["second"]["stopped_at_seen"] is True
    assert portal_runs["second"]["pages"] < portal_runs["first"]["pages"]


def test_open_demands_revisited(portal_runs) -> None:
    assert portal_runs["second"]["revisited"] > 0


def test_later_crawl_picks_up_new_posts(portal_runs) -> None:
    assert portal_runs["third"]["new"] > 0


def test_later_crawl_picks_up_replies(portal_runs) -> None:
    assert portal_runs["third"]["updated"] > 0
    store = portal_runs["store"]
    replied = [r for r in store.iter_records() if any(h["field"] == "reply_text" for h in store.history(r["id"]))]
    assert replied and all(r["reply_text"] for r in replied)


def test_every_visible_post_stored_or_quarantined(portal_runs) -> None:
    content, store = portal_runs["content"], portal_runs["store"]
    ids = {r["source_id"] for r in store.iter_records()}
    refs = {q["source_ref"].rsplit("/", 1)[-1].removesuffix(".html") for q in store.quarantined("portal")}
    visible = {p.sid for p in content.board if p.visible(portal_runs["end"])}
    assert visible <= ids | refs


def test_robots_obeyed(portal_runs) -> None:
    assert portal_runs["hits"].get("/robots.txt", 0) >= 1 and "/admin/login" not in portal_runs["hits"]


def test_runs_recorded_for_status(portal_runs) -> None:
    from suqiu.cli import app
    out = CliRunner().invoke(app, ["status", "--json", "--home", str(portal_runs["home"])], env={})
    status = json.loads(out.stdout.strip().splitlines()[-1])
    crawls = [r for r in status["runs"] if r["kind"] == "crawl"]
    assert len(crawls) == 3 and status["quarantined"] >= 2 and crawls[0]["stats"]["pages"] > 0


@pytest.fixture(scope="module")
def gbk_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = _home(tmp_path_factory)
    with serve_fixture_site(slow_s=0.3, **SIZES) as site:
        first = crawl_in_subprocess(home, "portal_gbk", env=_env(site.port), resume=True)
        content = site.site.content
    return {"first": first, "store": _store(home), "content": content, "home": home}


def test_resumable_crawl_finishes_and_clears_its_jobdir(gbk_run) -> None:
    assert gbk_run["first"]["finish_reason"] == "finished"
    assert not (gbk_run["home"] / "data" / "crawl-jobs" / "portal_gbk").exists()


def test_gbk_board_crawled(gbk_run) -> None:
    assert gbk_run["first"]["new"] > 20


def test_gbk_text_decoded(gbk_run) -> None:
    store, content = gbk_run["store"], gbk_run["content"]
    post = next(p for p in content.gbk_board if p.sid and store.get(f"portal:gbk-{p.sid}"))
    assert store.get(f"portal:gbk-{post.sid}")["title"] == post.item["title"]


def test_gbk_records_have_their_channel(gbk_run) -> None:
    assert {r["channel"] for r in gbk_run["store"].iter_records()} == {"人民网留言板"}


@pytest.fixture(scope="module")
def review_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = _home(tmp_path_factory)
    with serve_fixture_site(slow_s=0.3, **SIZES) as site:
        env = _env(site.port)
        first = crawl_in_subprocess(home, "reviews", env=env)
        second = crawl_in_subprocess(home, "reviews", env=env)
    return {"first": first, "second": second, "store": _store(home)}


def test_reviews_land_with_rating(review_runs) -> None:
    rows = list(review_runs["store"].iter_records())
    assert review_runs["first"]["new"] == len(rows) > 40 and all(1 <= r["rating"] <= 5 for r in rows)


def test_reviews_go_to_market_supervision(review_runs) -> None:
    assert {r["department_given"] for r in review_runs["store"].iter_records()} == {"市场监督管理局"}


def test_truncated_review_page_quarantined(review_runs) -> None:
    assert any(q["reason"].startswith("invalid JSON") for q in review_runs["store"].quarantined("reviews"))


def test_reviews_after_broken_page_still_crawled(review_runs) -> None:
    assert review_runs["first"]["items"] > 60  # pages 1-3 and 5 of 20


def test_reviews_second_crawl_adds_nothing(review_runs) -> None:
    assert (review_runs["second"]["new"], review_runs["second"]["updated"]) == (0, 0)


@pytest.fixture(scope="module")
def open311_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = _home(tmp_path_factory)
    with serve_fixture_site(slow_s=0.3, **SIZES) as site:
        env = _env(site.port)
        end = site.site.now
        site.site.now = end - timedelta(days=5)
        first = crawl_in_subprocess(home, "open311", env=env)
        second = crawl_in_subprocess(home, "open311", env=env)
        site.site.now = end
        third = crawl_in_subprocess(home, "open311", env=env)
    return {"first": first, "second": second, "third": third, "store": _store(home)}


def test_open311_crawl_lands_records(open311_runs) -> None:
    assert open311_runs["first"]["new"] > 20


def test_open311_cursor_recorded(open311_runs) -> None:
    assert open311_runs["first"]["cursor"] and open311_runs["third"]["cursor"] > open311_runs["first"]["cursor"]


def test_open311_second_crawl_asks_only_for_updates(open311_runs) -> None:
    second = open311_runs["second"]
    assert (second["items"], second["new"], second["updated"]) == (0, 0, 0)


def test_open311_later_crawl_gets_new_and_updated(open311_runs) -> None:
    third = open311_runs["third"]
    assert third["new"] + third["updated"] > 0 and third["items"] < open311_runs["first"]["items"] + third["new"] + 1


def test_open311_closed_requests_carry_replies(open311_runs) -> None:
    closed = [r for r in open311_runs["store"].iter_records() if r["status"] == "closed"]
    assert closed and all(r["replied_at"] for r in closed if r["reply_text"])


def test_unknown_source_is_a_clear_error(tmp_path_factory: pytest.TempPathFactory) -> None:
    from suqiu.cli import app
    home = _home(tmp_path_factory)
    out = CliRunner().invoke(app, ["crawl", "weibo", "--home", str(home)], env={})
    assert out.exit_code == 1 and "未配置数据源" in out.output


def test_interrupted_crawl_resumes_where_it_stopped(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Ctrl-C (SIGINT) mid-crawl keeps the request queue in the JOBDIR; ``--resume`` finishes the
    job from there: every visible message ends up stored once, and the queue is cleared."""
    import signal
    import subprocess
    import sys
    import time

    home = _home(tmp_path_factory)
    config = home / "suqiu.toml"
    text = config.read_text(encoding="utf-8")
    block = text.index('name = "portal_gbk"')
    delay = text.index("download_delay = 0", block)
    config.write_text(text[:delay] + "download_delay = 0.3" + text[delay + len("download_delay = 0"):],
                      encoding="utf-8")
    jobdir = home / "data" / "crawl-jobs" / "portal_gbk"
    with serve_fixture_site(slow_s=0.3, **SIZES) as site:
        env = _env(site.port)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        child = subprocess.Popen([sys.executable, "-m", "crawlers.run", "portal_gbk", "--home", str(home), "--resume"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        store = _store(home)
        deadline = time.monotonic() + 60

        def details_served() -> int:
            return sum(n for path, n in site.site.hits.items() if "show.asp" in path)
        # demands are written in batches (and when the spider closes): watch the pages served instead
        while details_served() < 8 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert child.poll() is None, "the crawl ended before it could be interrupted"
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
        stopped = json.loads(out.strip().splitlines()[-1])
        interrupted_at = store.count()
        assert stopped["finish_reason"] == "shutdown"
        assert jobdir.is_dir() and 5 <= interrupted_at   # the batch waiting at Ctrl-C was written on close
        hits_before = details_served()

        resumed = crawl_in_subprocess(home, "portal_gbk", env=env, resume=True)
        content = site.site.content
        hits_after = sum(n for path, n in site.site.hits.items() if "show.asp" in path)
    assert resumed["finish_reason"] == "finished" and not jobdir.exists()
    ids = {r["source_id"] for r in store.iter_records()}
    quarantined = {q["source_ref"].rsplit("id=", 1)[-1] for q in store.quarantined("portal_gbk")}
    visible = [p for p in content.gbk_board if p.visible(site.site.now)]
    missing = [p.sid for p in visible if f"gbk-{p.sid}" not in ids and p.sid not in quarantined]
    assert missing == [] and store.count() > interrupted_at
    # the resumed job did not fetch everything again: pages done before the interruption were not requested twice
    assert hits_after - hits_before < len(visible)
