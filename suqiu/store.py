"""The store: records, their history, analysis, per-stage state, quarantine and run stats.

Upserts are idempotent: the key is ``source:source_id`` and a content hash; unchanged input is a
no-op, a changed record is updated in place with every change to a tracked field (status, reply,
satisfaction, department) kept in ``record_history``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, event, func, select, update
from sqlalchemy.engine import Connection

from suqiu import schema
from suqiu.model import (
    CONTENT_FIELDS, SHANGHAI, TRACKED_FIELDS, Analysis, Demand, Status, as_shanghai,
)

STATUS_ORDER = {Status.RECEIVED: 0, Status.ROUTED: 1, Status.REPLIED: 2, Status.CLOSED: 3, Status.REOPENED: 1}


def now_local() -> datetime:
    return datetime.now(SHANGHAI)


def to_db_time(value: datetime | None) -> datetime | None:
    return None if value is None else as_shanghai(value).replace(tzinfo=None)


def from_db_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=SHANGHAI)


def text_hash(demand: Demand) -> str:
    payload = {f: demand.model_dump(mode="json").get(f) for f in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _status_wins(incoming: Status, stored: Status) -> bool:
    """A source saying 'received' does not undo routing or a reply the pipeline already recorded."""
    if incoming == stored:
        return False
    if incoming == Status.RECEIVED:
        return False
    if incoming == Status.REOPENED:
        return True
    return STATUS_ORDER[incoming] >= STATUS_ORDER[stored] or stored == Status.REOPENED


def _changes(row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Columns an incoming version changes: a missing reply never erases a known one, and a status
    only moves forward (``_status_wins``)."""
    changes: dict[str, Any] = {}
    for key, new in values.items():
        old = row[key]
        if key in TRACKED_FIELDS and new is None and old is not None:
            continue  # an export without the reply column does not erase a known reply
        if key == "status" and not _status_wins(Status(new), Status(old)):
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


def default_sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'data' / 'suqiu.db'}"


def _json_text(value: Any) -> str:
    """JSON columns keep Chinese as UTF-8 (not \\uXXXX escapes): smaller and quicker to write."""
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60}, json_serializer=_json_text)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)


class Store:
    """All database access for one installation; one instance per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @classmethod
    def open(cls, url: str) -> "Store":
        store = cls(url)
        store.create_schema()
        return store

    def create_schema(self) -> None:
        schema.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ records
    def upsert(self, demands: Iterable[Demand], origin: str = "import", actor: str | None = None,
               batch: int = 500) -> UpsertStats:
        """Insert new demands, update changed ones (with history of tracked fields), skip unchanged.

        Works ``batch`` demands at a time (one SELECT for their ids, bulk INSERTs), in one
        transaction; the same id twice in one call behaves as two calls in a row would.
        """
        stats = UpsertStats()
        with self.begin() as conn:
            chunk: list[Demand] = []
            for demand in demands:
                chunk.append(demand)
                if len(chunk) >= batch:
                    self._upsert_batch(conn, chunk, origin, actor, stats)
                    chunk = []
            if chunk:
                self._upsert_batch(conn, chunk, origin, actor, stats)
        return stats

    def _row_values(self, d: Demand) -> dict[str, Any]:
        data = d.model_dump(mode="python")
        values = {k: data[k] for k in (
            "source_id", "channel", "url", "title", "content", "district", "address", "requester",
            "category_given", "department_given", "reply_text", "replied_by", "satisfaction",
            "votes_up", "votes_down", "rating", "business_name", "crawl_run")}
        values.update(
            id=d.id, source=d.source.value, requester_type=d.requester_type.value, status=d.status.value,
            received_at=to_db_time(d.received_at), replied_at=to_db_time(d.replied_at),
            content_hash=d.content_hash(), text_hash=text_hash(d),
        )
        return values

    def _upsert_batch(self, conn: Connection, demands: Sequence[Demand], origin: str, actor: str | None,
                      stats: UpsertStats) -> None:
        rec = schema.records
        ids = list(dict.fromkeys(d.id for d in demands))
        current: dict[str, dict[str, Any]] = {
            r["id"]: dict(r) for r in conn.execute(select(rec).where(rec.c.id.in_(ids))).mappings()}
        inserts: dict[str, dict[str, Any]] = {}   # new this batch, by id (a later duplicate edits it here)
        updates: dict[str, dict[str, Any]] = {}   # changed columns of existing rows, by id
        history: list[dict[str, Any]] = []
        now = to_db_time(now_local())
        for d in demands:
            values = self._row_values(d)
            stats.ids.append(d.id)
            row = inserts.get(d.id) or current.get(d.id)
            if row is None:
                inserts[d.id] = {**values, "version": 1, "ingested_at": now, "updated_at": now}
                stats.new += 1
                continue
            if row["content_hash"] == values["content_hash"]:
                stats.unchanged += 1
                continue
            changes = _changes(row, values)
            history += [{"record_id": d.id, "at": now, "field": k, "old_value": _as_text(row[k]),
                         "new_value": _as_text(changes[k]), "origin": origin, "actor": actor}
                        for k in TRACKED_FIELDS if k in changes]
            changes.update(content_hash=values["content_hash"], version=row["version"] + 1, updated_at=now)
            row.update(changes)  # a later duplicate in this batch compares with this state
            if d.id not in inserts:
                updates.setdefault(d.id, {}).update(changes)
            stats.updated += 1
        if inserts:
            conn.execute(rec.insert(), list(inserts.values()))
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
            with self.begin() as c:
                return self.set_fields_many(changes, origin, actor, note, c)
        rec = schema.records
        changed: list[str] = []
        ids = list(changes)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = {r["id"]: r for r in conn.execute(select(rec).where(rec.c.id.in_(part))).mappings()}
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
                history += [{"record_id": rid, "at": now, "field": k, "old_value": _as_text(row[k]),
                             "new_value": _as_text(v), "origin": origin, "actor": actor, "note": note}
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
        return None if row is None else _local_times(dict(row))

    def history(self, record_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.record_history)
                                .where(schema.record_history.c.record_id == record_id)
                                .order_by(schema.record_history.c.id)).mappings().all()
        return [_local_times(dict(r)) for r in rows]

    def iter_records(self, ids: Sequence[str] | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Stream records (all, or the given ids) in batches without loading the table."""
        with self.engine.connect() as conn:
            if ids is None:
                result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                    select(schema.records).order_by(schema.records.c.id)).mappings()
                for row in result:
                    yield _local_times(dict(row))
                return
            for i in range(0, len(ids), batch):
                chunk = ids[i:i + batch]
                for row in conn.execute(select(schema.records).where(schema.records.c.id.in_(chunk))).mappings():
                    yield _local_times(dict(row))

    def count(self, table: Any = schema.records, *where: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    # ------------------------------------------------------------------ stages
    def pending(self, stage: str, key: str = "text_hash", limit: int | None = None,
                after: str | None = None) -> list[str]:
        """Ids of records the stage has not seen at their current ``key`` (text_hash or version).

        With ``after``, only records that stage has already processed at their current text_hash
        (a classifier needs the text stage's tokens first).
        """
        rec, st = schema.records, schema.stage_state
        key_col = rec.c[key] if key == "text_hash" else func.cast(rec.c.version, schema.String)
        joined = rec.outerjoin(st, (st.c.record_id == rec.c.id) & (st.c.stage == stage))
        q = select(rec.c.id).where((st.c.input_key.is_(None)) | (st.c.input_key != key_col))
        if after:
            prev = st.alias("prev")
            joined = joined.join(prev, (prev.c.record_id == rec.c.id) & (prev.c.stage == after)
                                 & (prev.c.input_key == rec.c.text_hash))
        q = q.select_from(joined).order_by(rec.c.received_at, rec.c.id)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def mark_done(self, stage: str, keys: dict[str, str], conn: Connection | None = None) -> None:
        """Record that ``stage`` processed each record at the given key (text_hash or version)."""
        if not keys:
            return
        if conn is None:
            with self.begin() as c:
                return self.mark_done(stage, keys, c)
        now = to_db_time(now_local())
        st = schema.stage_state
        conn.execute(st.delete().where(st.c.stage == stage, st.c.record_id.in_(list(keys))))
        conn.execute(st.insert(), [{"record_id": rid, "stage": stage, "input_key": str(k), "done_at": now}
                                   for rid, k in keys.items()])

    # ------------------------------------------------------------------ analysis
    def save_analysis(self, items: Iterable[Analysis], stage: str | None = None,
                      fields: Sequence[str] | None = None, batch: int = 500) -> int:
        """Write analysis (only ``fields`` when given), bump record versions, mark ``stage`` done.

        ``batch`` items at a time: two SELECTs and bulk writes instead of four statements per item.
        """
        n = 0
        with self.begin() as conn:
            done: dict[str, str] = {}
            chunk: list[Analysis] = []
            for item in items:
                chunk.append(item)
                if len(chunk) >= batch:
                    n += self._save_analysis_batch(conn, chunk, fields, done)
                    chunk = []
            if chunk:
                n += self._save_analysis_batch(conn, chunk, fields, done)
            if stage:
                self.mark_done(stage, done, conn)
        return n

    def _save_analysis_batch(self, conn: Connection, items: Sequence[Analysis], fields: Sequence[str] | None,
                             done: dict[str, str]) -> int:
        an, rec = schema.analysis, schema.records
        rows: list[tuple[str, dict[str, Any]]] = []
        for item in items:
            data = item.model_dump(mode="json")
            rid = data.pop("record_id")
            if fields is not None:
                data = {k: data[k] for k in fields}
            data["updated_at"] = to_db_time(now_local())
            rows.append((rid, data))
        ids = list(dict.fromkeys(rid for rid, _ in rows))
        present = {r[0] for r in conn.execute(select(an.c.record_id).where(an.c.record_id.in_(ids)))}
        hashes = {r.id: r.text_hash for r in conn.execute(select(rec.c.id, rec.c.text_hash).where(rec.c.id.in_(ids)))}
        unknown = [rid for rid in ids if rid not in hashes]
        if unknown:
            raise KeyError(f"analysis for unknown record {unknown[0]}")
        inserts, updates = [], []
        for rid, data in rows:
            if rid in present:
                updates.append({"b_record_id": rid, **data})
            else:
                inserts.append({"record_id": rid, **data})
                present.add(rid)
        if inserts:
            conn.execute(an.insert(), inserts)
        if updates:
            columns = [k for k in updates[0] if k != "b_record_id"]
            conn.execute(update(an).where(an.c.record_id == bindparam("b_record_id"))
                         .values({c: bindparam(c) for c in columns}), updates)
        conn.execute(update(rec).where(rec.c.id == bindparam("b_id")).values(version=rec.c.version + 1),
                     [{"b_id": rid} for rid, _ in rows])
        for rid, _ in rows:
            done[rid] = hashes[rid]
        return len(rows)

    def get_analysis(self, record_id: str) -> Analysis | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.analysis).where(schema.analysis.c.record_id == record_id)).mappings().first()
        if row is None:
            return None
        data = {k: v for k, v in dict(row).items() if k != "updated_at" and v is not None}
        return Analysis.model_validate(data)

    # ------------------------------------------------------------------ quarantine and runs
    def quarantine(self, source: str, reason: str, payload: Any, source_ref: str | None = None,
                   field: str | None = None, run_id: str | None = None) -> bool:
        """Keep rejected input with its reason; the same payload and reason is kept once."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
        digest = hashlib.sha256(f"{source_ref or ''}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()
        q = schema.quarantine
        with self.begin() as conn:
            exists = conn.execute(select(q.c.id).where(q.c.source == source, q.c.payload_hash == digest,
                                                       q.c.reason == reason)).first()
            if exists:
                return False
            conn.execute(q.insert().values(source=source, source_ref=source_ref, field=field, reason=reason,
                                           payload=text, payload_hash=digest, run_id=run_id,
                                           at=to_db_time(now_local())))
        return True

    def quarantined(self, source: str | None = None) -> list[dict[str, Any]]:
        q = select(schema.quarantine).order_by(schema.quarantine.c.id)
        if source:
            q = q.where(schema.quarantine.c.source == source)
        with self.engine.connect() as conn:
            return [_local_times(dict(r)) for r in conn.execute(q).mappings()]

    def start_run(self, kind: str, source: str | None = None) -> str:
        run_id = f"{kind}-{now_local():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        with self.begin() as conn:
            conn.execute(schema.runs.insert().values(id=run_id, kind=kind, source=source, status="running",
                                                     started_at=to_db_time(now_local()), stats={}))
        return run_id

    def finish_run(self, run_id: str, stats: dict[str, Any], error: str | None = None) -> None:
        with self.begin() as conn:
            conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(
                finished_at=to_db_time(now_local()), stats=stats, error=error,
                status="failed" if error else "ok"))

    def recent_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.runs).order_by(schema.runs.c.started_at.desc()).limit(limit)).mappings()
            return [_local_times(dict(r)) for r in rows]

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        rec, an = schema.records, schema.analysis
        with self.engine.connect() as conn:
            by_source = {s: int(n) for s, n in conn.execute(
                select(rec.c.source, func.count()).group_by(rec.c.source))}
            by_status = {s: int(n) for s, n in conn.execute(
                select(rec.c.status, func.count()).group_by(rec.c.status))}
            stages = {s: int(n) for s, n in conn.execute(
                select(schema.stage_state.c.stage, func.count()).group_by(schema.stage_state.c.stage))}
            analyzed = int(conn.execute(select(func.count()).select_from(an)
                                        .where(an.c.normalized_text.is_not(None))).scalar_one())
            triage = int(conn.execute(select(func.count()).select_from(an)
                                      .where(an.c.route_reason == "triage")).scalar_one())
            quarantined = int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())
        total = sum(by_source.values())
        return {
            "records": {"total": total, "by_source": by_source, "by_status": by_status},
            "quarantined": quarantined,
            "analyzed": analyzed,
            "indexed": stages.get("index", 0),
            "routed": by_status.get("routed", 0) + by_status.get("replied", 0) + by_status.get("closed", 0)
            + by_status.get("reopened", 0),
            "triage": triage,
            "replied": by_status.get("replied", 0) + by_status.get("closed", 0),
            "stages": stages,
            "runs": [
                {"id": r["id"], "kind": r["kind"], "source": r["source"], "status": r["status"],
                 "started_at": r["started_at"].isoformat() if r["started_at"] else None,
                 "stats": r["stats"]}
                for r in self.recent_runs(10)
            ],
        }


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_shanghai(value).isoformat()
    return str(value)


def _local_times(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (from_db_time(v) if isinstance(v, datetime) else v) for k, v in row.items()}


def demand_from_row(row: dict[str, Any]) -> Demand:
    fields = Demand.model_fields
    return Demand.model_validate({k: v for k, v in row.items() if k in fields})
