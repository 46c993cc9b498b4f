"""The database engine and the store's time convention.

Times are stored naive, in Asia/Shanghai wall time (the store attaches the zone on read), so
date-range filters behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

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


class StoreBusy(RuntimeError):
    """Another writer held the database past the busy timeout (60 s; the web's: ``set_busy_timeout``)."""


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


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":  # owner only (SQLite gives the WAL and SHM files the same mode)
            _private_database_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 60}, json_serializer=_json_text)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "handle_error")
        def _busy(ctx: Any) -> None:
            if isinstance(ctx.original_exception, sqlite3.OperationalError) and "locked" in str(ctx.original_exception):
                raise StoreBusy(str(ctx.original_exception)) from ctx.original_exception

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)
