"""The pipeline flow end to end on small data, and a re-run that adds nothing, on SQLite and on
PostgreSQL (the store URL in the installation's configuration, as a real one has it)."""

from __future__ import annotations

import os
import re
from contextlib import ExitStack
from pathlib import Path

import pytest

from crawlers.fixture_site import serve_fixture_site
from suqiu.installation import Installation, write_default_config
from flows.demo import write_hotline_export
from tests.conftest import ENGINES, fresh_pg_database

pytestmark = pytest.mark.slow

SIZES = {"n_board": 20, "n_gbk": 10, "n_reviews": 20, "n_open311": 24}


def use_store(home: Path, url: str) -> None:
    """Point the installation's configuration at this store URL."""
    config = home / "suqiu.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r'(\[store\][^\[]*?)\nurl = ""', lambda m: f'{m[1]}\nurl = "{url}"', text, count=1),
                      encoding="utf-8")


@pytest.fixture(scope="module", params=ENGINES)
def runs(request, tmp_path_factory, prefect_harness):
    with ExitStack() as stack:
        home = tmp_path_factory.mktemp("pipeline-home")
        write_default_config(home)
        if request.param == "postgresql":
            use_store(home, stack.enter_context(fresh_pg_database(request.getfixturevalue("pg_url"), "pipeline")))
            assert Installation.load(home).config.store.url.startswith("postgresql")
        yield _run_twice(home)


def _run_twice(home: Path) -> dict:
    from flows.pipeline import pipeline
    export = home / "export.xlsx"
    write_hotline_export(export, 40, seed=3)
    old = os.environ.get("SUQIU__FIXTURE_SITE__PORT")
    with serve_fixture_site(slow_s=0.1, **SIZES) as site:
        os.environ["SUQIU__FIXTURE_SITE__PORT"] = str(site.port)
        try:
            kwargs = dict(home=str(home), sources=["open311"], files=[str(export)], period="week",
                          report_week="2026-W47")
            first = pipeline(**kwargs)
            count_after_first = Installation.load(home).store.count()
            second = pipeline(**kwargs)
        finally:
            if old is None:
                os.environ.pop("SUQIU__FIXTURE_SITE__PORT", None)
            else:
                os.environ["SUQIU__FIXTURE_SITE__PORT"] = old
    return {"home": home, "first": first, "second": second, "count_after_first": count_after_first}



def test_first_run_lands_crawled_and_imported_records(runs):
    ing = runs["first"]["ingest"]
    assert ing["crawl"]["open311"]["new"] > 5
    assert next(iter(ing["import"].values()))["new"] > 30


def test_first_run_analyzes_and_indexes_everything(runs):
    assert runs["first"]["analyze"]["analyzed"] == runs["count_after_first"]
    assert runs["first"]["index"]["indexed"] == runs["count_after_first"]


def test_digest_per_department_in_outbox(runs):
    digests = runs["first"]["route"]["digests"]
    assert len(digests) == len(Installation.load(runs["home"]).config.departments)
    assert all(Path(d["html"]).exists() for d in digests.values())


def test_weekly_report_written(runs):
    assert {Path(p).suffix for p in runs["first"]["report"].values()} == {".html", ".docx", ".xlsx"}


def test_rerun_adds_nothing(runs):
    second = runs["second"]
    crawl = second["ingest"]["crawl"]["open311"]
    imp = next(iter(second["ingest"]["import"].values()))
    assert (crawl["new"], crawl["updated"]) == (0, 0)
    assert (imp["new"], imp["updated"]) == (0, 0)
    assert second["analyze"]["analyzed"] == 0
    assert second["index"]["indexed"] == 0
    assert Installation.load(runs["home"]).store.count() == runs["count_after_first"]


def test_flow_tasks_are_plain_units(home):
    from flows.ingest import enabled_sources
    assert enabled_sources.fn(str(home)) == ["portal", "portal_gbk", "reviews", "open311"]
