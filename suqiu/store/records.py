"""Demands and their history: idempotent upserts, tracked changes, reads.

Upserts are idempotent: the key is ``source:source_id`` and a content hash; unchanged input is a
no-op, a changed record is updated in place with every change to a tracked field (status, reply,
satisfaction, department) kept in ``record_history``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from suqiu.model import CONTENT_FIELDS, COUNT_FIELDS, TRACKED_FIELDS, Demand, Status
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import as_text, local_times, now_local, to_db_time

# how far along each status is, for re-imports: a source only moves a demand forward
STATUS_RANK = {Status.RECEIVED: 0, Status.ROUTED: 1, Status.RETURNED: 1, Status.REOPENED: 1, Status.SIGNED: 2,
               Status.IN_PROGRESS: 3, Status.EXTENSION_REQUESTED: 3, Status.SUSPENDED: 3, Status.REPLIED: 4,
               Status.CALLED_BACK: 5, Status.CLOSED: 6}
TEXT_FIELDS = set(CONTENT_FIELDS)   # what a text hash covers: every one is a field of Demand


def text_hash(demand: Demand) -> str:
    payload = demand.model_dump(mode="json", include=TEXT_FIELDS)
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def import_wins(incoming: str, stored: str) -> bool:
    """Whether a re-imported status replaces the stored one: a source saying 'received' never undoes
    routing or a reply; 'reopened' always counts; otherwise only a step forward does."""
    if incoming == stored or incoming == Status.RECEIVED:
        return False
    if incoming == Status.REOPENED:
        return True
    return STATUS_RANK[Status(incoming)] >= STATUS_RANK[Status(stored)] or stored == Status.REOPENED


def _changes(row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Columns an incoming version changes: a missing reply never erases a known one, and a status
    only moves forward (``import_wins``)."""
    changes: dict[str, Any] = {}
    for key, new in values.items():
        old = row[key]
        if key in TRACKED_FIELDS and new is None and old is not None:
            continue  # an export without the reply column does not erase a known reply
        if key == "status" and not import_wins(new, old):
            continue
        if old != new:
            changes[key] = new
    return changes


@dataclass
class UpsertStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "quarantined": self.quarantined}

    def add(self, part: "UpsertStats") -> None:
        self.new, self.updated = self.new + part.new, self.updated + part.updated
        self.unchanged, self.quarantined = self.unchanged + part.unchanged, self.quarantined + part.quarantined
        self.ids.extend(part.ids)


class RecordsMixin(StoreBase):
    """Demands and their history."""

    # ------------------------------------------------------------------ records
    def upsert(self, demands: Iterable[Demand], origin: str = "import", actor: str | None = None,
               batch: int = 500) -> UpsertStats:
        """Insert new demands, update changed ones (with history of tracked fields), skip unchanged.

        Works in batches of at most ``batch`` demands sized from the lock's time budget
        (``in_batches``; the batch's rows locked, ``INSERT … ON CONFLICT DO NOTHING`` for new ids),
        each batch one transaction (a writer holds the lock for one batch, not the whole call);
        the same id twice in one call behaves as two calls in a row would, and two writers
        upserting the same demands at once record each change once (a deadlock between them
        re-runs the victim's batch).
        """
        def attempt(chunk: list[Demand]) -> UpsertStats:
            part = UpsertStats()
            with self.begin() as conn:
                self._upsert_batch(conn, chunk, origin, actor, part)
            return part

        stats = UpsertStats()
        for part in self.in_batches(demands, attempt, most=batch):
            stats.add(part)
        return stats

    def _row_values(self, d: Demand) -> dict[str, Any]:
        data = d.model_dump(mode="python")
        values = {k: data[k] for k in (
            "source_id", "channel", "url", "title", "content", "district", "address", "requester",
            "category_given", "department_given", "reply_text", "replied_by", "satisfaction",
            "votes_up", "votes_down", "rating", "business_name", "crawl_run", "lat", "lon", *COUNT_FIELDS)}
        values.update(
            id=d.id, source=d.source.value, requester_type=d.requester_type.value, status=d.status.value,
            received_at=to_db_time(d.received_at), replied_at=to_db_time(d.replied_at),
            content_hash=d.content_hash(), text_hash=text_hash(d),
        )
        return values

    @staticmethod
    def _locked(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of these ids, locked until the transaction ends (in id order: no deadlock
        between two writers of one batch)."""
        rec = schema.records
        q = select(rec).where(rec.c.id.in_(sorted(ids))).order_by(rec.c.id).with_for_update()
        return {r["id"]: dict(r) for r in conn.execute(q).mappings()}

    def _insert_new(self, conn: Connection, demands: Sequence[Demand], current: dict[str, dict[str, Any]],
                    now: datetime) -> dict[str, dict[str, Any]]:
        """Insert the first version of each id not stored yet; the rows this transaction inserted.

        An id another writer inserted meanwhile is skipped by the database (``ON CONFLICT DO
        NOTHING``) and read back, locked, into ``current``, so its demands are compared with what
        that writer stored. Ours are told apart by the insert time and content this call wrote
        (one executemany without RETURNING: PostgreSQL takes it many times faster).
        """
        first: dict[str, dict[str, Any]] = {}
        for d in demands:
            if d.id not in current and d.id not in first:
                first[d.id] = {**self._row_values(d), "version": 1, "ingested_at": now, "updated_at": now}
        if not first:
            return {}
        conn.execute(self.insert(schema.records).on_conflict_do_nothing(), [first[rid] for rid in sorted(first)])
        stored = self._locked(conn, list(first))
        ours = {rid for rid, row in stored.items() if row["version"] == 1 and row["ingested_at"] == now
                and row["content_hash"] == first[rid]["content_hash"]}
        current.update({rid: row for rid, row in stored.items() if rid not in ours})
        return {rid: first[rid] for rid in ours}

    def _upsert_batch(self, conn: Connection, demands: Sequence[Demand], origin: str, actor: str | None,
                      stats: UpsertStats) -> None:
        rec = schema.records
        now = to_db_time(now_local())
        current = self._locked(conn, list({d.id for d in demands}))
        inserted = self._insert_new(conn, demands, current, now)
        state = {**current, **{rid: dict(row) for rid, row in inserted.items()}}
        updates: dict[str, dict[str, Any]] = {}   # changed columns of stored rows, by id
        history: list[dict[str, Any]] = []
        for d in demands:
            stats.ids.append(d.id)
            if inserted.pop(d.id, None) is not None:   # the first occurrence of an id this batch inserted
                stats.new += 1
                continue
            values = self._row_values(d)
            row = state[d.id]
            if row["content_hash"] == values["content_hash"]:
                stats.unchanged += 1
                continue
            changes = _changes(row, values)
            history += [{"record_id": d.id, "at": now, "field": k, "old_value": as_text(row[k]),
                         "new_value": as_text(changes[k]), "origin": origin, "actor": actor}
                        for k in TRACKED_FIELDS if k in changes]
            changes.update(content_hash=values["content_hash"], version=row["version"] + 1, updated_at=now)
            row.update(changes)  # a later duplicate in this batch compares with this state
            updates.setdefault(d.id, {}).update(changes)
            stats.updated += 1
        for rid, changes in updates.items():
            conn.execute(update(rec).where(rec.c.id == rid).values(**changes))
        if history:
            conn.execute(schema.record_history.insert(), history)

    def set_fields(self, record_id: str, changes: dict[str, Any], origin: str, actor: str | None = None,
                   note: str | None = None, conn: Connection | None = None) -> bool:
        """Change tracked fields (status, reply, department) from inside the system, with history."""
        return bool(self.set_fields_many({record_id: changes}, origin, actor, note, conn))

    def set_fields_many(self, changes: dict[str, dict[str, Any]], origin: str, actor: str | None = None,
                        note: str | None = None, conn: Connection | None = None) -> list[str]:
        """``set_fields`` for many records at once (one SELECT, bulk writes); returns the ids changed."""
        if conn is None:
            def attempt() -> list[str]:
                with self.begin() as c:
                    return self.set_fields_many(changes, origin, actor, note, c)
            return self.retrying(attempt)
        rec = schema.records
        changed: list[str] = []
        ids = list(changes)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self._locked(conn, part)
            now = to_db_time(now_local())
            history: list[dict[str, Any]] = []
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for rid in part:
                row = rows.get(rid)
                if row is None:
                    continue
                db_changes = {k: (to_db_time(v) if isinstance(v, datetime) else getattr(v, "value", v))
                              for k, v in changes[rid].items()}
                db_changes = {k: v for k, v in db_changes.items() if row[k] != v}
                if not db_changes:
                    continue
                history += [{"record_id": rid, "at": now, "field": k, "old_value": as_text(row[k]),
                             "new_value": as_text(v), "origin": origin, "actor": actor, "note": note}
                            for k, v in db_changes.items()]
                by_columns.setdefault(tuple(sorted(db_changes)), []).append({"b_id": rid, **db_changes})
                changed.append(rid)
            if history:
                conn.execute(schema.record_history.insert(), history)
            for columns, params in by_columns.items():
                conn.execute(update(rec).where(rec.c.id == bindparam("b_id")).values(
                    {**{c: bindparam(c) for c in columns}, "version": rec.c.version + 1, "updated_at": now}), params)
        return changed

    def get(self, record_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.records).where(schema.records.c.id == record_id)).mappings().first()
        return None if row is None else local_times(dict(row))

    def history(self, record_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.record_history)
                                .where(schema.record_history.c.record_id == record_id)
                                .order_by(schema.record_history.c.id)).mappings().all()
        return [local_times(dict(r)) for r in rows]

    def iter_records(self, ids: Sequence[str] | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Stream records (all, or the given ids) in batches without loading the table."""
        with self.engine.connect() as conn:
            if ids is None:
                result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                    select(schema.records).order_by(schema.records.c.id)).mappings()
                for row in result:
                    yield local_times(dict(row))
                return
            for i in range(0, len(ids), batch):
                chunk = ids[i:i + batch]
                for row in conn.execute(select(schema.records).where(schema.records.c.id.in_(chunk))).mappings():
                    yield local_times(dict(row))

    def count(self, table: Any = schema.records, *where: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    # ------------------------------------------------------------------ stages
def demand_from_row(row: dict[str, Any]) -> Demand:
    fields = Demand.model_fields
    return Demand.model_validate({k: v for k, v in row.items() if k in fields}, context={"stored": True})


class HistoryMixin(StoreBase):
    """Queries over ``record_history`` (the API, Open311 and the detail page read it)."""

    def history_of(self, ids: Sequence[str], fields: Sequence[str]) -> list[dict[str, Any]]:
        """History entries of these records for these fields, oldest first."""
        h, out = schema.record_history, []
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = (select(h).where(h.c.record_id.in_(list(ids[i:i + 500])), h.c.field.in_(list(fields)))
                     .order_by(h.c.id))
                out += [local_times(dict(r)) for r in conn.execute(q).mappings()]
        return sorted(out, key=lambda r: r["id"])

    def history_between(self, fields: Sequence[str], start: datetime, end: datetime,
                        limit: int | None = None) -> list[dict[str, Any]]:
        """Entries for these fields with ``start <= at <= end``, oldest first."""
        h = schema.record_history
        q = (select(h).where(h.c.field.in_(list(fields)), h.c.at >= to_db_time(start), h.c.at <= to_db_time(end))
             .order_by(h.c.at, h.c.id))
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]
