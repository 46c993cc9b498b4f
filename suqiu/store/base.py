"""What every part of the store shares: one engine per process and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.engine import BATCH_BUSY_TIMEOUT_S, make_engine


class StoreBase:
    """All database access for one installation goes through a ``Store`` (one per process)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._busy_ms = int(BATCH_BUSY_TIMEOUT_S * 1000)
        if url.startswith("sqlite"):
            event.listen(self.engine, "checkout", self._apply_busy_timeout)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a statement waits for another process's write lock before ``StoreBusy``
        (SQLite; the web uses a few seconds so no request hangs behind an import)."""
        self._busy_ms = max(1, int(seconds * 1000))

    def _apply_busy_timeout(self, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("busy_ms") != self._busy_ms:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={self._busy_ms:d}")
            cur.close()
            record.info["busy_ms"] = self._busy_ms

    def create_schema(self) -> None:
        schema.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn
