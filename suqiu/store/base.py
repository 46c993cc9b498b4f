"""What every part of the store shares: one engine per process, transactions, and upserts.

Upserts are one statement on both engines (``INSERT … ON CONFLICT``), never a look followed by an
insert: two workers writing the same key at once both succeed, whichever commits second wins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from suqiu.store.engine import SINGLE, WRITE, StoreBusy, make_engine
from suqiu.store.migrations import ensure_current

T = TypeVar("T")
R = TypeVar("R")
# PostgreSQL's deadlock and serialization failures: the transaction is rolled back whole and may be re-run
RETRYABLE_SQLSTATES = ("40P01", "40001")
# A batch writer holds SQLite's write lock about this long per transaction, then lets it go for as
# long (up to PAUSE_S: a waiter's busy handler polls every 100 ms at most), so a request waits well
# under a second behind an import or a stage, whatever the machine's speed (bench/load_test.py)
LOCK_BUDGET_S, PAUSE_S, FIRST_BATCH = 0.1, 0.1, 100


class StoreBase:
    """All database access for one installation goes through a ``Store`` (one per process)."""

    def __init__(self, url: str, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        # SQLite: this process's writers queue here, one thread at a time polling for the database's
        # lock (its busy handler polls: forty web threads polling starved other processes' writers);
        # each batch writer's next size is kept between its calls (``in_batches``)
        self._writer, self._busy_s, self._batch_sizes = threading.RLock(), 60.0, dict[str, int]()

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a statement waits for another process's write lock before ``StoreBusy`` (SQLite)."""
        self._busy_s = seconds
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", lambda c, _r: c.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}"))
            self.engine.dispose()  # pooled connections are replaced by ones with the new timeout

    def create_schema(self) -> None:
        """A new database at the newest schema revision; ``SchemaOutdated`` for an older one."""
        ensure_current(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        if not self.url.startswith("sqlite"):   # PostgreSQL locks rows: its writers need no queue
            yield
            return
        if not self._writer.acquire(timeout=self._busy_s):
            raise StoreBusy(f"this process's other writers held the database past {self._busy_s:g} s")
        try:
            yield
        finally:
            self._writer.release()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction (on SQLite it holds the write lock from its start)."""
        with self._one_writer(), self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                yield conn

    def write_one(self, statement: Any) -> int:
        """One statement as its own transaction; the rows it changed. On SQLite without BEGIN: the
        write lock is taken and given back inside the driver's one call, never held while a web
        thread waits for the interpreter (``Store.begin`` holds it from BEGIN to COMMIT)."""
        with self._one_writer(), self.engine.connect() as conn:
            conn.execution_options(**{SINGLE: True})
            rows = conn.execute(statement).rowcount
            conn.commit()
            return rows

    def in_batches(self, items: Iterable[T], write: Callable[[list[T]], R], most: int) -> Iterator[R]:
        """``write`` (one transaction) over ``items`` in batches sized from the lock's time budget:
        the first as the writer's last call left it (``FIRST_BATCH`` at first), each next from how
        long the last held the lock (at most twice as large), never over ``most``; on SQLite a pause
        after each as long as it held (≤ ``PAUSE_S``) lets waiters in."""
        stream, key = iter(items), getattr(write, "__qualname__", "")
        size = min(most, self._batch_sizes.get(key, FIRST_BATCH))
        chunk = list(islice(stream, size))
        while chunk:
            t0 = time.perf_counter()
            done = self.retrying(lambda c=chunk: write(c))
            held = time.perf_counter() - t0
            if len(chunk) == size:   # a short last chunk's fixed costs say little of the rate
                size = self._batch_sizes[key] = max(1, min(most, 2 * size, int(size * LOCK_BUDGET_S / max(held, 1e-4))))
            if (chunk := list(islice(stream, size))) and self.url.startswith("sqlite"):
                time.sleep(min(held, PAUSE_S))
            yield done

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
