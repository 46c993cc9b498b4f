"""The audit log (who viewed, exported, replied to or changed which demand) and warnings' lifecycle.

The audit log is append-only: this mixin offers no way to change or remove a row, and the table's
triggers (``schema._APPEND_ONLY``) refuse an UPDATE or DELETE from anywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time


class AuditMixin(StoreBase):
    """The ``audit_log`` and ``warning_events`` tables."""

    def audit(self, entry: dict[str, Any], conn: Connection | None = None) -> None:
        """Append one entry (actor, role, department, action, record_id, origin, detail) at server time."""
        row = {**entry, "at": to_db_time(now_local())}
        if conn is not None:
            conn.execute(schema.audit_log.insert().values(**row))
            return
        self.write_one(schema.audit_log.insert().values(**row))   # a view's entry: the lock only inside the insert

    def audit_rows(self, record_id: str | None = None, actor: str | None = None, action: str | None = None,
                   limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(how many match, one page of them newest first)."""
        a = schema.audit_log
        where = [c == v for c, v in ((a.c.record_id, record_id), (a.c.action, action)) if v]
        if actor:
            where.append(a.c.actor.contains(actor, autoescape=True))
        with self.engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(a).where(*where)).scalar_one())
            rows = conn.execute(select(a).where(*where).order_by(a.c.id.desc()).limit(limit).offset(offset))
            return total, [local_times(dict(r)) for r in rows.mappings()]

    # ------------------------------------------------------------------ warnings' lifecycle
    def add_warning_event(self, warning_id: str, state: str, actor: str | None, note: str | None,
                          conn: Connection | None = None) -> None:
        row = {"warning_id": warning_id, "state": state, "actor": actor, "note": note,
               "at": to_db_time(now_local())}
        if conn is not None:
            conn.execute(schema.warning_events.insert().values(**row))
            return
        with self.begin() as c:
            c.execute(schema.warning_events.insert().values(**row))

    def warning_states(self, ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """The newest step of each warning that has one (absent: still 新)."""
        we = schema.warning_events
        q = select(we).order_by(we.c.id)
        if ids is not None:
            q = q.where(we.c.warning_id.in_(list(ids)))
        with self.engine.connect() as conn:
            return {r["warning_id"]: local_times(dict(r)) for r in conn.execute(q).mappings()}

    def warning_events_of(self, warning_id: str) -> list[dict[str, Any]]:
        we = schema.warning_events
        with self.engine.connect() as conn:
            rows = conn.execute(select(we).where(we.c.warning_id == warning_id).order_by(we.c.id)).mappings()
            return [local_times(dict(r)) for r in rows]

    def warning_row(self, warning_id: str) -> dict[str, Any] | None:
        w = schema.warnings
        with self.engine.connect() as conn:
            row = conn.execute(select(w).where(w.c.id == warning_id)).mappings().first()
        return None if row is None else local_times(dict(row))

    def audit_since(self, start: datetime) -> int:
        a = schema.audit_log
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(a)
                                    .where(a.c.at >= to_db_time(start))).scalar_one())
