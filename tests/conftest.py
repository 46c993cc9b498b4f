"""Shared fixtures: an isolated installation per test, the real Elasticsearch, the Prefect harness."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's own SUQIU_HOME or overrides."""
    for var in list(os.environ):
        if var.startswith("SUQIU_") and var not in ("SUQIU_TEST_ES_URL",):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh installation with the shipped default configuration."""
    from suqiu.installation import write_default_config
    h = tmp_path / "home"
    write_default_config(h)
    monkeypatch.setenv("SUQIU_HOME", str(h))
    return h


@pytest.fixture
def app(home: Path):
    from suqiu.installation import Installation
    a = Installation.load(home)
    yield a
    a.store.close()


@pytest.fixture
def store(app):
    return app.store


@pytest.fixture(scope="session")
def es_url() -> str:
    """The real Elasticsearch started by the test command; required under CI and `make test`."""
    url = os.environ.get("SUQIU_TEST_ES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SUQIU_TEST_ES_URL is not set: run the suite through `make test`")
        pytest.skip("no Elasticsearch: run through `make test`, which starts one")
    from search.es_client import connect, server_version
    client = connect(url, timeout=10)
    try:
        server_version(client)
    except Exception as exc:  # a configured but dead server is a failure, not a skip
        pytest.fail(f"Elasticsearch at {url} is not healthy: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Prefect ephemeral API for the whole session (its first start takes ~15 s)."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared datasets absent at {SHARED}: real-data checks need ../shared/datasets")
    return SHARED


CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's real Chromium driven by Playwright (test tools may not download their own browser)."""
    import shutil
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `make test` installs Debian's chromium")
        pytest.skip("chromium is not installed: run through `make test`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
