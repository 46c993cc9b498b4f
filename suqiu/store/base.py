"""What every part of the store shares: one engine per process and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.engine import make_engine


class StoreBase:
    """All database access for one installation goes through a ``Store`` (one per process)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a statement waits for another process's write lock before ``StoreBusy`` (SQLite)."""
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", lambda c, _r: c.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}"))
            self.engine.dispose()  # pooled connections are replaced by ones with the new timeout

    def create_schema(self) -> None:
        schema.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn
