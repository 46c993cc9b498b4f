"""Schema migrations on both engines: the previous release's database, with a row in every table,
upgrades to exactly today's schema with every row intact; a store at another revision is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, LargeBinary, MetaData, String, create_engine, select
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from suqiu.cli import app as cli
from suqiu.store import SchemaOutdated, Store, schema
from suqiu.store.migrations import BASELINE, HEAD, alembic_config, migrating, revision_of, revisions, upgrade
from tests.migrations import schema_ab81252 as previous

runner = CliRunner()


@pytest.fixture
def url(engine_url: str, new_store_url) -> str:
    """An empty database on each engine."""
    return engine_url or new_store_url("migrate")


def _engine(url: str):
    return create_engine(url, poolclass=NullPool)


def _differences(url: str, metadata: MetaData) -> list[Any]:
    engine = _engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    return diff


def _value(table: str, column: Any, refs: dict[str, Any]) -> Any:
    """A valid value of the column's type (foreign keys point at the referenced row)."""
    fk = next(iter(column.foreign_keys), None)
    if fk is not None:
        return refs[fk.target_fullname]
    t = column.type
    if isinstance(t, Boolean):
        return True
    if isinstance(t, Integer):
        return 7
    if isinstance(t, Float):
        return 0.5
    if isinstance(t, DateTime):
        return datetime(2026, 11, 20, 9, 30, 15)
    if isinstance(t, JSON):
        return {"关键词": ["噪音", "扰民"], "n": 3}
    if isinstance(t, LargeBinary):
        return b"\x00\x01\xfe\xff"
    if isinstance(t, String):
        text = f"{table}·{column.name}·值"
        return text[: t.length] if t.length else text
    raise AssertionError(f"no sample value for {table}.{column.name} ({t})")


def _previous_release_with_data(url: str) -> dict[str, dict[str, Any]]:
    """The previous release's tables, one row in each; the rows by table."""
    engine = _engine(url)
    previous.metadata.create_all(engine)
    rows, refs = {}, {}
    with engine.begin() as conn:
        for table in previous.metadata.sorted_tables:
            row = {c.name: _value(table.name, c, refs) for c in table.columns}
            conn.execute(table.insert().values(**row))
            refs.update({f"{table.name}.{k}": v for k, v in row.items()})
            rows[table.name] = row
    engine.dispose()
    return rows


def test_head_is_the_newest_revision_after_the_baseline():
    known = revisions()
    assert known[0] == BASELINE and known[-1] == HEAD and len(set(known)) == len(known)


def test_baseline_is_the_previous_release_schema(url):
    engine = _engine(url)
    from alembic import command
    with migrating(engine) as conn:
        command.upgrade(alembic_config(conn), BASELINE)
    engine.dispose()
    assert _differences(url, previous.metadata) == []


def test_previous_release_upgrades_with_every_row_intact(url):
    rows = _previous_release_with_data(url)
    assert set(rows) == set(previous.metadata.tables)
    with pytest.raises(SchemaOutdated, match="suqiu migrate"):
        Store.open(url)
    assert upgrade(url) == {"from": BASELINE, "to": HEAD, "created": False}
    assert _differences(url, schema.metadata) == [], "schema.py changed without a migration: see suqiu/store/migrations"
    engine = _engine(url)
    with engine.connect() as conn:
        for name, row in rows.items():
            stored = [dict(r) for r in conn.execute(select(schema.metadata.tables[name])).mappings()]
            assert len(stored) == 1, name
            assert {k: stored[0][k] for k in row} == row, name
        assert revision_of(conn) == HEAD
    engine.dispose()
    store = Store.open(url)
    assert store.count() == 1
    store.close()


def test_an_upgraded_store_keeps_the_audit_log_append_only(url):
    _previous_release_with_data(url)
    upgrade(url)
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(schema.audit_log.insert().values(at=datetime(2026, 11, 20, 9), actor="信访办", role="office",
                                                      action="view", origin="web"))
    for statement in (schema.audit_log.update().values(actor="someone else"), schema.audit_log.delete()):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    engine.dispose()


def test_a_fresh_store_is_created_at_head(url):
    Store.open(url).close()
    engine = _engine(url)
    with engine.connect() as conn:
        assert revision_of(conn) == HEAD
    engine.dispose()
    assert _differences(url, schema.metadata) == []
    assert upgrade(url)["from"] == HEAD  # nothing to do


def test_workers_creating_one_fresh_store_at_once_all_succeed(url, engine_url, new_store_url):
    """Twenty fresh stores on SQLite: switching a new file to WAL raced one time in fifteen."""
    errors: list[Exception] = []

    def open_store(at: str) -> None:
        try:
            Store.open(at).close()
        except Exception as exc:
            errors.append(exc)

    for at in [url] + [new_store_url("migrate") for _ in range(0 if engine_url else 19)]:
        threads = [threading.Thread(target=open_store, args=(at,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors


def test_a_newer_revision_is_refused_with_its_reason(url):
    Store.open(url).close()
    engine = _engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    engine.dispose()
    with pytest.raises(SchemaOutdated, match="比本程序新"):
        Store.open(url)


def test_cli_refuses_an_old_store_until_migrate(home, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _previous_release_with_data(url)
    env = {"SUQIU_HOME": str(home), "SUQIU_STORE_URL": url}
    refused = runner.invoke(cli, ["status", "--json"], env=env)
    assert refused.exit_code == 1 and "suqiu migrate" in refused.stderr and "上一发行版" in refused.stderr
    doctor = runner.invoke(cli, ["doctor", "--json"], env=env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert doctor.exit_code == 1 and not checks["schema"]["ok"] and "suqiu migrate" in checks["schema"]["detail"]
    migrated = runner.invoke(cli, ["migrate", "--json"], env=env)
    assert migrated.exit_code == 0
    assert json.loads(migrated.stdout) == {"from": BASELINE, "to": HEAD, "created": False, "published": []}
    doctor = runner.invoke(cli, ["doctor", "--json"], env=env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["schema"]["ok"] and HEAD in checks["schema"]["detail"]
    assert runner.invoke(cli, ["status", "--json"], env=env).exit_code == 0


def test_alembic_command_line_upgrades_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _previous_release_with_data(url)
    alembic = Path(sys.executable).with_name("alembic")
    ini = Path(__file__).resolve().parents[2] / "suqiu" / "store" / "migrations" / "alembic.ini"
    for args in (["stamp", BASELINE], ["upgrade", "head"]):
        out = subprocess.run([str(alembic), "-c", str(ini), "-x", f"url={url}", *args], capture_output=True,
                             text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ini.parents[3])})
        assert out.returncode == 0, out.stderr[-2000:]
    assert _differences(url, schema.metadata) == []
