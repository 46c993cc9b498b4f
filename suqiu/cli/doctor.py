"""Health checks behind ``suqiu doctor``: each returns (ok, detail) and never raises."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from reports.cjk_font import cjk_font_path
from search.es_client import connect, server_version
from suqiu.config import ConfigError
from suqiu.deadlines import last_covered_year
from suqiu.installation import Installation
from suqiu.state import shared_state
from suqiu.store import SchemaOutdated
from suqiu.store.migrations import status as schema_status


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def _guard(name: str, fn: Callable[[], str]) -> Check:
    try:
        return Check(name, True, fn())
    except Exception as exc:  # doctor reports every failure instead of stopping at the first
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def fonts() -> str:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font found: install the 'mplfonts' package")
    return str(path)


def holidays() -> str:
    last = last_covered_year()
    if date.today().year + 1 > last:  # a warning, not a failure: limits still count, Monday–Friday
        return (f"warning: chinese-calendar knows public holidays and 调休 up to {last} only; working days "
                f"after it are counted Monday–Friday (upgrade chinesecalendar once the State Council publishes "
                f"{last + 1}'s schedule)")
    return f"public holidays and 调休 known up to {last}"


def run_checks(home: str | os.PathLike[str] | None = None) -> list[Check]:
    try:
        app = Installation.load(home)
    except ConfigError as exc:
        return [Check("config", False, str(exc))]
    published = not app.config_path.exists() and not app.store_url.startswith("sqlite")
    checks = [Check("config", True, str(app.config_path) if app.config_path.exists() else
                    "published in the store (no local suqiu.toml)" if published else
                    f"{app.config_path} absent: using the shipped defaults (run `suqiu init`)")]

    def data_dir() -> str:
        d = app.path()
        with tempfile.NamedTemporaryFile(dir=d):
            pass
        return f"{d} writable"

    def schema() -> str:
        found = schema_status(app.store_url)
        if not found["current"]:
            raise RuntimeError(str(SchemaOutdated(found["revision"], found["head"])))
        return f"revision {found['revision'] or found['head'] + ' (new store: created at first use)'}"

    def store() -> str:
        s = app.store
        n = s.count()
        return f"{s.engine.dialect.name} at {s.engine.url.render_as_string(hide_password=True)}: {n} records"

    def state() -> str:
        where = shared_state(app)
        where.keys("config/")
        return where.describe()

    def search() -> str:
        cfg = app.config.search
        if cfg.backend == "elasticsearch":
            client = connect(cfg.elasticsearch.url, timeout=5)
            try:
                return f"elasticsearch {server_version(client)} at {cfg.elasticsearch.url}"
            finally:
                client.close()
        con = sqlite3.connect(":memory:")
        con.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return f"embedded (SQLite {sqlite3.sqlite_version} with FTS5)"

    checks += [_guard("data_dir", data_dir), _guard("schema", schema), _guard("store", store),
               _guard("state", state), _guard("search", search),
               _guard("fonts", fonts), _guard("holidays", holidays)]
    return checks
