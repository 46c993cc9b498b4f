"""The repository is a Scrapy project: ``scrapy list``, ``scrapy check`` (our contracts on every
site profile against the fixture site) and ``scrapy crawl NAME -a source=SOURCE``, run as people
run them, from the repository root, with the installation found from SUQIU_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.fixture_site import serve_fixture_site
from suqiu.config import default_config_text, load_config

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def write_home(home: Path, port: int, edit: tuple[str, str] | None = None) -> Path:
    """A SUQIU_HOME whose configuration points at the fixture site on ``port``."""
    text = default_config_text().replace("port = 8765", f"port = {port}", 1)
    if edit is not None:
        assert edit[0] in text
        text = text.replace(*edit)
    home.mkdir(parents=True, exist_ok=True)
    (home / "suqiu.toml").write_text(text, encoding="utf-8")
    return home


def scrapy(home: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU")}
    env.update(SUQIU_HOME=str(home), PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def site():
    seed = load_config(Path("/nonexistent-suqiu-home"), environ={}).fixture_site.seed
    with serve_fixture_site(seed=seed, slow_s=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def fixture_home(site, tmp_path_factory) -> Path:
    return write_home(tmp_path_factory.mktemp("scrapy-home"), site.port)


def test_scrapy_cfg_at_the_root() -> None:
    assert "default = crawlers.settings" in (ROOT / "scrapy.cfg").read_text(encoding="utf-8")


def test_scrapy_list_names_every_spider(fixture_home) -> None:
    out = scrapy(fixture_home, "list")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["open311", "portal", "reviews"]


def test_scrapy_check_passes(fixture_home) -> None:
    out = scrapy(fixture_home, "check")
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stderr and "Ran 14 contracts" in out.stderr


@pytest.mark.parametrize("kind,source", [("portal", "portal"), ("portal", "portal_gbk"), ("reviews", "reviews"),
                                         ("open311", "open311")])
def test_scrapy_check_each_site_profile(fixture_home, kind, source) -> None:
    out = scrapy(fixture_home, "check", kind, "-a", f"source={source}", "-v")
    assert out.returncode == 0, out.stderr
    assert "FAILED" not in out.stderr and "@fills" in out.stderr


def test_scrapy_check_fails_on_a_broken_profile(site, tmp_path) -> None:
    home = write_home(tmp_path / "broken", site.port, ('content = "div.thread-body"', 'content = "div.no-such-body"'))
    out = scrapy(home, "check", "portal", "-a", "source=portal")
    assert out.returncode != 0 and "empty fields: content" in out.stderr


def test_scrapy_check_needs_a_sample_for_detail_pages(site, tmp_path) -> None:
    home = write_home(tmp_path / "nosample", site.port,
                      ('check_urls = { detail = "{fixture_url}/board/thread/8800630.html" }', ""))
    out = scrapy(home, "check", "portal", "-a", "source=portal")
    assert out.returncode != 0 and "check_urls.detail" in out.stderr


def test_scrapy_crawl_refuses_a_source_of_another_kind(fixture_home) -> None:
    out = scrapy(fixture_home, "crawl", "portal", "-a", "source=reviews")
    assert out.returncode != 0 and "scrapy crawl reviews -a source=reviews" in out.stderr


def test_scrapy_crawl_stores_into_the_installation(site, tmp_path) -> None:
    from suqiu.installation import Installation
    home = write_home(tmp_path / "crawl", site.port)
    out = scrapy(home, "crawl", "reviews", "-a", "source=reviews", "-s", "CLOSESPIDER_PAGECOUNT=2")
    assert out.returncode == 0, out.stderr
    app = Installation.load(home, environ={})
    try:
        runs = [r for r in app.store.recent_runs() if r["kind"] == "crawl"]
        assert app.store.count() >= 20 and runs and runs[0]["source"] == "reviews"
        assert runs[0]["stats"]["new"] == app.store.count()
    finally:
        app.store.close()
