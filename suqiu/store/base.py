"""What every part of the store shares: one engine per process, transactions, and upserts.

Upserts are one statement on both engines (``INSERT … ON CONFLICT``), never a look followed by an
insert: two workers writing the same key at once both succeed, whichever commits second wins.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from suqiu.store.engine import WRITE, make_engine
from suqiu.store.migrations import ensure_current

T = TypeVar("T")
# PostgreSQL's deadlock and serialization failures: the transaction is rolled back whole and may be re-run
RETRYABLE_SQLSTATES = ("40P01", "40001")


class StoreBase:
    """All database access for one installation goes through a ``Store`` (one per process)."""

    def __init__(self, url: str, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a statement waits for another process's write lock before ``StoreBusy`` (SQLite)."""
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", lambda c, _r: c.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}"))
            self.engine.dispose()  # pooled connections are replaced by ones with the new timeout

    def create_schema(self) -> None:
        """A new database at the newest schema revision; ``SchemaOutdated`` for an older one."""
        ensure_current(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction (on SQLite it holds the write lock from its start)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                yield conn

    def insert(self, table: Table) -> Any:
        """The dialect's INSERT, which has ``on_conflict_do_nothing`` and ``on_conflict_do_update``."""
        return (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(table)

    def upsert_rows(self, conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> None:
        """Insert ``rows``, or update the other columns of rows whose ``keys`` exist already."""
        if not rows:
            return
        stmt = self.insert(table)
        columns = [c for c in rows[0] if c not in keys]
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns})
                     if columns else stmt.on_conflict_do_nothing(index_elements=keys), rows)

    @staticmethod
    def retrying(work: Callable[[], T], attempts: int = 5) -> T:
        """Run a whole transaction again when PostgreSQL chose it as a deadlock's victim."""
        for attempt in range(attempts):
            try:
                return work()
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")
