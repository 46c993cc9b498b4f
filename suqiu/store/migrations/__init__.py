"""Schema versions (alembic, ``versions/``): the store refuses to work on an older schema.

A fresh store is created from ``schema.py`` and stamped at the newest revision; a store an older
release made is upgraded, keeping every row, by

    suqiu migrate                                                  # or, with alembic's own command:
    alembic -c suqiu/store/migrations/alembic.ini -x url=<store URL> upgrade head

A database with the tables but no version is the previous release's (revision ``0001_baseline``).
A developer who changed ``schema.py`` writes the next revision with
``python -m suqiu.store.migrations revision -m "what changed"`` (see ``__main__``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, String, Table, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from suqiu.store import schema
from suqiu.store.engine import WRITE, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
BASELINE = "0001_baseline"
# the newest revision under versions/ (written by ``python -m suqiu.store.migrations revision``; a
# test checks it); a constant, so opening a store needs no alembic (about 0.1 s to import)
HEAD = "0005_dedup_bands"
LOCK_KEY = 740_215  # PostgreSQL advisory lock: one schema change at a time across machines
version_table = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))


class SchemaOutdated(RuntimeError):
    """The database's schema is not the one this code needs; the message says what to run."""

    def __init__(self, found: str | None, head: str) -> None:
        self.found, self.head = found, head
        if found is not None and found not in revisions():
            reason = (f"数据库结构版本 {found} 比本程序新（本程序最高为 {head}）：请在本机安装与其他节点相同的 suqiu 版本")
        else:
            reason = (f"数据库结构版本为 {found or '上一发行版（无版本记录）'}，本程序需要 {head}：请先运行 "
                      "`suqiu migrate`（或 `alembic -c suqiu/store/migrations/alembic.ini -x url=… upgrade head`）升级数据库")
        super().__init__(reason)


def alembic_config(connection: Connection | None = None) -> "Config":
    """alembic's configuration for the store (alembic is imported only to change or read revisions)."""
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("file_template", "%%(rev)s")  # versions/<revision id>.py
    cfg.attributes["connection"] = connection
    return cfg


@cache
def revisions() -> tuple[str, ...]:
    """Every revision under versions/, oldest first (read once per process)."""
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(alembic_config())
    return tuple(reversed([r.revision for r in script.walk_revisions()]))


def revision_of(conn: Connection) -> str | None:
    """The revision the database is stamped at; None without a version table."""
    if not inspect(conn).has_table(version_table.name):
        return None
    return conn.execute(select(version_table.c.version_num)).scalar()


def has_tables(conn: Connection) -> bool:
    return inspect(conn).has_table(schema.records.name)


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a schema change, held by one process at a time (PostgreSQL: an advisory
    lock; SQLite: the write lock), with SQLite's foreign-key checks off so alembic may rebuild tables."""
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        conn.execution_options(**{WRITE: True})
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
                yield conn
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _create_at_head(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    version_table.create(conn)
    conn.execute(version_table.insert().values(version_num=HEAD))


def ensure_current(engine: Engine) -> None:
    """Create an empty database at the newest revision; refuse one at any other revision."""
    with engine.connect() as conn:
        found = revision_of(conn)
        if found == HEAD:
            return
    with migrating(engine) as conn:  # looked at again under the lock: another worker may be creating it
        found = revision_of(conn)
        if found is None and not has_tables(conn):
            _create_at_head(conn)
            return
    if found != HEAD:
        raise SchemaOutdated(found, HEAD)


def upgrade(url: str) -> dict[str, Any]:
    """Bring the store at ``url`` to the newest revision, keeping every row; what was done."""
    from alembic import command
    engine = make_engine(url)
    try:
        with migrating(engine) as conn:
            found = revision_of(conn)
            if found is None and not has_tables(conn):
                _create_at_head(conn)
                return {"from": None, "to": HEAD, "created": True}
            if found is not None and found not in revisions():
                raise SchemaOutdated(found, HEAD)
            cfg = alembic_config(conn)
            if found is None:
                command.stamp(cfg, BASELINE)
            command.upgrade(cfg, "head")
            return {"from": found or BASELINE, "to": HEAD, "created": False}
    finally:
        engine.dispose()


def status(url: str) -> dict[str, Any]:
    """The revision found (None: an empty database, or the previous release's unstamped one, then
    ``tables`` is true), the one needed, and whether the store may be used as it is."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found, tables = revision_of(conn), has_tables(conn)
    finally:
        engine.dispose()
    return {"revision": found, "tables": tables, "head": HEAD, "current": found == HEAD or not tables}
