"""The database engine and the store's time convention.

Times are stored naive, in Asia/Shanghai wall time (the store attaches the zone on read), so
date-range filters behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

from suqiu.model import SHANGHAI, as_shanghai


def now_local() -> datetime:
    return datetime.now(SHANGHAI)


def to_db_time(value: datetime | None) -> datetime | None:
    return None if value is None else as_shanghai(value).replace(tzinfo=None)


def from_db_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=SHANGHAI)


def local_times(row: dict[str, Any]) -> dict[str, Any]:
    """A row with every datetime made aware (Asia/Shanghai)."""
    return {k: (from_db_time(v) if isinstance(v, datetime) else v) for k, v in row.items()}


def as_text(value: Any) -> str | None:
    """A value as history keeps it (datetimes in ISO form with their offset)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_shanghai(value).isoformat()
    return str(value)


def default_sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'data' / 'suqiu.db'}"


def _json_text(value: Any) -> str:
    """JSON columns keep Chinese as UTF-8 (not \\uXXXX escapes): smaller and quicker to write."""
    return json.dumps(value, ensure_ascii=False)


# text neither engine may hold the same way: NUL (PostgreSQL refuses it) and lone surrogates
# (no UTF-8 encoding: both drivers refuse them); stripped and replaced on the way in, on both engines
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
WRITE = "suqiu_write"     # execution option of a write transaction (SQLite: BEGIN IMMEDIATE)
SINGLE = "suqiu_single"   # one statement, its own transaction (SQLite: no BEGIN, the driver's autocommit)


class StoreBusy(RuntimeError):
    """Another writer held the database past the busy timeout (60 s; the web's: ``set_busy_timeout``)."""


def clean_text(value: str) -> str:
    """``value`` as the store keeps it: NUL removed, lone surrogates as U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", value.replace("\x00", ""))


def _needs_cleaning(value: Any) -> bool:
    return isinstance(value, str) and ("\x00" in value or (not value.isascii() and bool(_SURROGATE_RE.search(value))))


def _clean_params(params: Any) -> Any:
    if isinstance(params, dict):
        if any(_needs_cleaning(v) for v in params.values()):
            return {k: clean_text(v) if _needs_cleaning(v) else v for k, v in params.items()}
        return params
    if isinstance(params, (list, tuple)):
        if any(isinstance(p, (dict, list, tuple)) for p in params):   # executemany: one entry per row
            return type(params)(_clean_params(p) for p in params)
        if any(_needs_cleaning(v) for v in params):
            return type(params)(clean_text(v) if _needs_cleaning(v) else v for v in params)
    return params


def _clean_before_execute(_conn: Connection, _cursor: Any, statement: str, parameters: Any, _context: Any,
                          _executemany: bool) -> tuple[str, Any]:
    return statement, _clean_params(parameters)


def _private_database_file(path: Path) -> None:
    """Create the database file owner-only, or make an existing one so, without opening it.

    Never ``open``/``close`` an existing database file: closing any descriptor of a file drops
    every POSIX lock this process holds on it, so a connection already open here would lose its
    locks and another process could write under it (SQLite then reports a malformed image).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    os.chmod(path, 0o600)


BUSY_S = 60   # how long a statement waits for another connection's write lock


def _wal(dbapi_conn: sqlite3.Connection, pause: float = 0.005) -> None:
    """Switch to WAL, waiting for the lock: SQLite answers 'database is locked' at once, without its
    busy handler, while another connection switches a fresh file (a CI race: 7 openings in 100)."""
    for _ in range(int(BUSY_S / 0.1) + 10):   # 5 ms doubling to 100 ms: about BUSY_S in all
        try:
            return dbapi_conn.execute("PRAGMA journal_mode=WAL").close()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
        time.sleep(pause := min(pause * 2, 0.1))
    raise StoreBusy(f"could not switch the database to WAL within {BUSY_S} s")


SQLITE_OVERFLOW = 200   # two connections for each of the web's 40 threads, and the stages' beside them


def make_engine(url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """The engine of one store; ``pool_size`` and ``max_overflow`` size a server's connection pool.

    SQLite: SQLAlchemy, not the driver, begins transactions, so a write transaction takes the
    write lock at its start (BEGIN IMMEDIATE) and two writers queue instead of one failing on a
    stale snapshot; a lock held past the busy timeout is ``StoreBusy``.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""   # sqlite:// alone is in memory
        in_file = bool(path) and path != ":memory:"
        if in_file:  # owner only (SQLite gives the WAL and SHM files the same mode)
            _private_database_file(Path(path))
        # A request that reads on a second connection while its write transaction holds the lock,
        # with the pool's 15 connections all held by requests queued for that lock, waited for the
        # pool until the busy timeout (the load test's 10 s stalls and 503s; tests/test_store_pool.py).
        # SQLite connections are file handles: the pool may grow past what the web's threads hold.
        pool = {"pool_size": pool_size, "max_overflow": max(max_overflow, SQLITE_OVERFLOW)} if in_file else {}
        engine = create_engine(url, connect_args={"timeout": BUSY_S}, json_serializer=_json_text, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            _wal(dbapi_conn)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            options = conn.get_execution_options()
            if not options.get(SINGLE):
                conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")

        @event.listens_for(engine, "handle_error")
        def _busy(ctx: Any) -> None:
            if isinstance(ctx.original_exception, sqlite3.OperationalError) and "locked" in str(ctx.original_exception):
                raise StoreBusy(str(ctx.original_exception)) from ctx.original_exception
    else:
        engine = create_engine(url, pool_pre_ping=True, json_serializer=_json_text, pool_size=pool_size,
                               max_overflow=max_overflow)
    event.listen(engine, "before_cursor_execute", _clean_before_execute, retval=True)
    return engine
