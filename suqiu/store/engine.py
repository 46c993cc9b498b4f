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


BATCH_BUSY_TIMEOUT_S = 60.0   # commands wait this long for another writer; the web sets its own, shorter


class StoreBusy(RuntimeError):
    """Another writer held the database longer than this store's busy timeout (retry later)."""


def _private_files(path: str) -> None:
    """The database and its WAL/SHM companions readable by the owner only (they hold personal data).

    SQLite creates the WAL and SHM files with the database file's mode, so creating that one 0600
    is enough; files an earlier release left world-readable are tightened here too."""
    db = Path(path)
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not db.exists():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if f.exists() and f.stat().st_mode & 0o077:
            f.chmod(0o600)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        file_backed = bool(path) and path != ":memory:"
        if file_backed:
            _private_files(path)
        engine = create_engine(url, connect_args={"timeout": BATCH_BUSY_TIMEOUT_S}, json_serializer=_json_text)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            if file_backed:  # the WAL and SHM files exist from here on
                _private_files(path)

        @event.listens_for(engine, "handle_error")
        def _busy(ctx: Any) -> None:
            orig = ctx.original_exception
            if isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig):
                raise StoreBusy(str(orig)) from orig

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)
