"""Shared fixtures: an isolated installation per test, the real Elasticsearch (one node and a
two-node cluster) and PostgreSQL started by the test command, the Prefect harness."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
# the servers `make test` provisions; every other SUQIU_ variable is cleared for each test
SERVER_VARS = ("SUQIU_TEST_ES_URL", "SUQIU_TEST_PG_URL", "SUQIU_TEST_ES_CLUSTER_URLS")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's own SUQIU_HOME or overrides."""
    for var in list(os.environ):
        if var.startswith("SUQIU_") and var not in SERVER_VARS:
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
def engine_app(home: Path, engine_url: str, monkeypatch: pytest.MonkeyPatch):
    """The installation on each engine (SQLite, and PostgreSQL when the test command provides one):
    a module whose ``app`` fixture returns it runs its tests on both."""
    from suqiu.installation import Installation
    if engine_url:
        monkeypatch.setenv("SUQIU_STORE_URL", engine_url)
    a = Installation.load(home)
    yield a
    a.store.close()


@pytest.fixture
def store(app):
    return app.store


def _server_url(var: str, what: str) -> str:
    """A server the test command provides: skipped when absent, but a failure under CI."""
    url = os.environ.get(var)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{var} is not set: run the suite through `make test`")
        pytest.skip(f"no {what}: run through `make test`, which starts one")
    return url


@pytest.fixture(scope="session")
def es_url() -> str:
    """The real Elasticsearch started by the test command; required under CI and `make test`."""
    url = _server_url("SUQIU_TEST_ES_URL", "Elasticsearch")
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
def es_cluster_urls() -> list[str]:
    """The two-node cluster of the test command (node 1 master and data, node 2 data only)."""
    urls = [u.strip() for u in _server_url("SUQIU_TEST_ES_CLUSTER_URLS", "Elasticsearch cluster").split(",")]
    from search.es_client import connect
    client = connect(urls[0], timeout=40)
    try:
        health = client.cluster.health(wait_for_status="yellow", wait_for_nodes=str(len(urls)), timeout="30s")
    except Exception as exc:
        pytest.fail(f"the Elasticsearch cluster at {urls} is not healthy with {len(urls)} nodes: {exc}")
    finally:
        client.close()
    if health["number_of_nodes"] != len(urls):
        pytest.fail(f"the Elasticsearch cluster at {urls} has {health['number_of_nodes']} nodes")
    return urls


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The real PostgreSQL started by the test command (role with CREATEDB on database suqiu_test)."""
    url = _server_url("SUQIU_TEST_PG_URL", "PostgreSQL")
    from sqlalchemy import create_engine, make_url, text
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # includes a missing psycopg driver
        shown = make_url(url).render_as_string(hide_password=True)
        pytest.fail(f"PostgreSQL at {shown} is not healthy: {exc}")
    return url


@contextmanager
def fresh_pg_database(base_url: str, tag: str) -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards; yields its URL.

    One per module or per test keeps suites independent without sharing tables; creating and
    dropping one costs tens of milliseconds on the test server (no fsync). FORCE closes connections
    a test left open, so a leaked engine cannot block the drop.
    """
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool
    name = f"suqiu_t_{re.sub(r'[^a-z0-9]+', '_', tag.lower()).strip('_')[:40]}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin, name: str, attempts: int = 20) -> None:
    """DROP … WITH (FORCE), again for a moment when it is refused: PostgreSQL 15 checks its right to
    end every backend in the database first, and an autovacuum worker there has no role, so a drop
    that met one failed with InsufficientPrivilege (a CI run's teardown; the test server's role is
    given pg_signal_backend too)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="module")
def pg_module_url(pg_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of its own for the test module."""
    with fresh_pg_database(pg_url, request.module.__name__.rsplit(".", 1)[-1]) as url:
        yield url


@pytest.fixture
def pg_test_url(pg_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of its own for one test (e.g. a store contract suite run on PostgreSQL)."""
    with fresh_pg_database(pg_url, request.node.name) as url:
        yield url


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=ENGINES)
def engine_url(request: pytest.FixtureRequest) -> str:
    """A suite that asks for this runs on both engines: "" (the installation's own SQLite file) and
    a fresh PostgreSQL database of its own."""
    return "" if request.param == "sqlite" else request.getfixturevalue("pg_test_url")


@pytest.fixture
def new_store_url(engine_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator:
    """Makes more fresh stores on the engine of ``engine_url``: ``new_store_url(tag)`` is a new URL."""
    with ExitStack() as stack:
        def make(tag: str = "extra") -> str:
            if not engine_url:
                return f"sqlite:///{tmp_path / f'{tag}-{uuid.uuid4().hex[:6]}.db'}"
            return stack.enter_context(fresh_pg_database(request.getfixturevalue("pg_url"), tag))

        yield make


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
