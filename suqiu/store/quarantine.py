"""The quarantine after ``RunsMixin.quarantine``: list, read, count by reason, mark re-admitted; runs; a ping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, true, update

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time

LISTED = ("id", "source", "source_ref", "field", "reason", "run_id", "at", "readmitted_at", "readmitted_record")


def reason_code(reason: str) -> str:  # before the first colon: an importer's code, a field, a crawl failure
    return (reason or "").split(":", 1)[0].strip() or "invalid"


class QuarantineMixin(StoreBase):
    def quarantine_rows(self, source: str | None = None, reason: str | None = None, run_id: str | None = None,
                        readmitted: bool | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, without payloads; ``reason`` matches the start of the reason (its code)."""
        q = schema.quarantine
        done = true() if readmitted is None else q.c.readmitted_at.is_not(None) if readmitted else q.c.readmitted_at.is_(None)
        stmt = select(*(q.c[c] for c in LISTED)).where(done).order_by(q.c.id.desc()).limit(limit)
        for cond, value in ((q.c.source == source, source), (q.c.run_id == run_id, run_id),
                            (q.c.reason.startswith(reason or "", autoescape=True), reason)):
            stmt = stmt.where(cond) if value else stmt
        return self._all(stmt)

    def quarantine_row(self, row_id: int) -> dict[str, Any] | None:
        return next(iter(self._all(select(schema.quarantine).where(schema.quarantine.c.id == row_id))), None)

    def quarantine_by_reason(self, run_ids: Iterable[str] | None = None) -> dict[str, int]:
        q = schema.quarantine  # rows not re-admitted, by reason code (of these runs, or all)
        stmt = select(q.c.reason).where(q.c.readmitted_at.is_(None))
        if run_ids is not None:
            stmt = stmt.where(q.c.run_id.in_([r for r in run_ids if r]))
        return dict(Counter(reason_code(r["reason"]) for r in self._all(stmt)).most_common())

    def mark_readmitted(self, row_id: int, record_id: str, actor: str | None = None) -> bool:
        q = schema.quarantine  # False: re-admitted already (or no such row)
        with self.begin() as conn:
            return bool(conn.execute(update(q).where(q.c.id == row_id, q.c.readmitted_at.is_(None)).values(
                readmitted_at=to_db_time(now_local()), readmitted_record=record_id, readmitted_by=actor)).rowcount)

    def run_record(self, run_id: str) -> dict[str, Any] | None:
        return next(iter(self._all(select(schema.runs).where(schema.runs.c.id == run_id))), None)

    def runs_between(self, kind: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        r = schema.runs  # runs of ``kind`` started in [start, end), oldest first
        return self._all(select(r).where(r.c.kind == kind, r.c.started_at >= to_db_time(start),
                                         r.c.started_at < to_db_time(end)).order_by(r.c.started_at))

    def _all(self, stmt: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(stmt).mappings()]

    def ping(self) -> None:  # /healthz: one round trip, raises when the database is unreachable
        self._all(select(literal(1).label("one")))
