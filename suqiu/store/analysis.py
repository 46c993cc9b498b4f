"""What the analysis stages read and write: per-stage state and analysis rows (duplicate signatures: ``dedup``).

A stage marks each record it processed with the key it saw (the record's ``text_hash`` for text
work, its ``version`` for the index); ``pending`` is every record whose key moved since.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, exists, func, select, union, update
from sqlalchemy.engine import Connection

from suqiu.model import Analysis
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time


CHANGE_MARGIN = timedelta(hours=1)   # reads since a run's start go back this far: writes commit late


def changed_ids(since: datetime) -> CompoundSelect:
    """Records whose row or analysis changed after ``since``, by both ``updated_at`` indexes."""
    at, rec, an = to_db_time(since), schema.records, schema.analysis
    return union(select(rec.c.id).where(rec.c.updated_at > at), select(an.c.record_id).where(an.c.updated_at > at))


def _pending(q: Any, stage: str, key: str, after: str | None, changed_since: datetime | None = None) -> Any:
    """(see ``AnalysisMixin.pending``) ``after`` as a correlated EXISTS, not a join: SQLite then walks
    the records by date and looks both stage rows up by key (1.8 s on a million records) instead of
    reading every stage row of ``after`` and each record by id (18 s); the rows are the same."""
    rec, st = schema.records, schema.stage_state
    if changed_since is not None:
        q = q.where(rec.c.id.in_(changed_ids(changed_since)))
    key_col = rec.c[key] if key == "text_hash" else func.cast(rec.c.version, schema.String)
    joined = rec.outerjoin(st, (st.c.record_id == rec.c.id) & (st.c.stage == stage))
    q = q.select_from(joined).where((st.c.input_key.is_(None)) | (st.c.input_key != key_col))
    if after:
        prev = st.alias("prev")
        q = q.where(exists().where((prev.c.record_id == rec.c.id) & (prev.c.stage == after)
                                   & (prev.c.input_key == rec.c.text_hash)))
    return q


def _analysis_from_row(row: Any) -> Analysis:
    return Analysis.model_validate({k: v for k, v in dict(row).items() if k != "updated_at" and v is not None})


class AnalysisMixin(StoreBase):
    """Stage bookkeeping and the ``analysis`` table."""

    def pending(self, stage: str, key: str = "text_hash", limit: int | None = None,
                after: str | None = None, ids: Sequence[str] | None = None,
                changed_since: datetime | None = None) -> list[str]:
        """Ids of records the stage has not seen at their current ``key`` (text_hash or version).

        With ``after``, only records that stage has already processed at their current text_hash
        (a classifier needs the text stage's tokens first); with ``ids``, only among those; with
        ``changed_since``, only among records whose row or analysis changed after it.
        """
        rec = schema.records
        q = _pending(select(rec.c.id), stage, key, after, changed_since).order_by(rec.c.received_at, rec.c.id)
        if ids is not None:
            q = q.where(rec.c.id.in_(list(ids)))
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def earliest_change(self, ids: Sequence[str]) -> datetime | None:
        """The earliest ``updated_at`` of these records and their analyses (None for no ids)."""
        rec, an = schema.records, schema.analysis
        with self.engine.connect() as conn:
            found = [t for i in range(0, len(ids), 500) for col, key in ((rec.c.updated_at, rec.c.id),
                     (an.c.updated_at, an.c.record_id))
                     if (t := conn.execute(select(func.min(col)).where(key.in_(list(ids[i:i + 500])))).scalar())]
        return local_times({"t": min(found)})["t"] if found else None

    def pending_count(self, stage: str, key: str = "text_hash", after: str | None = None) -> int:  # /metrics
        with self.engine.connect() as conn:
            return int(conn.execute(_pending(select(func.count()), stage, key, after)).scalar_one())

    def mark_done(self, stage: str, keys: dict[str, str], conn: Connection | None = None) -> None:
        """Record that ``stage`` processed each record at the given key (text_hash or version)."""
        if not keys:
            return
        if conn is None:
            with self.begin() as c:
                return self.mark_done(stage, keys, c)
        now = to_db_time(now_local())
        self.upsert_rows(conn, schema.stage_state, [
            {"record_id": rid, "stage": stage, "input_key": str(k), "done_at": now} for rid, k in keys.items()],
            keys=["record_id", "stage"])

    def save_analysis(self, items: Iterable[Analysis], stage: str | None = None,
                      fields: Sequence[str] | None = None, batch: int = 500,
                      seen: dict[str, str] | None = None) -> int:
        """Write analysis (only ``fields`` when given), bump record versions, mark ``stage`` done.

        ``seen``: the text hash each record had when the stage read it; the stage is marked done at
        that hash, so a text changed meanwhile (another worker's import) stays pending. Without
        it, at the hash stored now. At most ``batch`` items at a time, sized from the lock's time
        budget (``in_batches``): two SELECTs and bulk writes, each batch (with its stage marks) one
        transaction, so no writer waits behind a whole refit; a deadlock re-runs the batch.
        """
        def attempt(chunk: list[Analysis]) -> int:
            done: dict[str, str] = {}
            with self.begin() as conn:
                n = self._save_analysis_batch(conn, chunk, fields, done)
                if stage:
                    self.mark_done(stage, done if seen is None else {r: seen.get(r, h) for r, h in done.items()}, conn)
            return n

        return sum(self.in_batches(items, attempt, most=batch))

    def _save_analysis_batch(self, conn: Connection, items: Sequence[Analysis], fields: Sequence[str] | None,
                             done: dict[str, str]) -> int:
        an, rec = schema.analysis, schema.records
        rows: dict[str, dict[str, Any]] = {}   # the last item of an id wins, as separate saves would
        now = to_db_time(now_local())
        for item in items:
            data = item.model_dump(mode="json")
            rid = data.pop("record_id")
            if fields is not None:
                data = {k: data[k] for k in fields}
            rows[rid] = {"record_id": rid, **data, "updated_at": now}
        ids = sorted(rows)
        hashes = {r.id: r.text_hash for r in conn.execute(
            select(rec.c.id, rec.c.text_hash).where(rec.c.id.in_(ids)).order_by(rec.c.id).with_for_update())}
        unknown = [rid for rid in rows if rid not in hashes]
        if unknown:
            raise KeyError(f"analysis for unknown record {unknown[0]}")
        self.upsert_rows(conn, an, [rows[rid] for rid in ids], keys=["record_id"])
        conn.execute(update(rec).where(rec.c.id == bindparam("b_id")).values(version=rec.c.version + 1),
                     [{"b_id": rid} for rid in (item.record_id for item in items)])
        for rid in ids:
            done[rid] = hashes[rid]
        return len(items)

    def get_analysis(self, record_id: str, conn: Connection | None = None) -> Analysis | None:
        """``conn``: the caller's write transaction (another pooled connection would wait for the pool)."""
        if conn is None:
            with self.engine.connect() as c:
                return self.get_analysis(record_id, c)
        row = conn.execute(select(schema.analysis).where(schema.analysis.c.record_id == record_id)).mappings().first()
        return None if row is None else _analysis_from_row(row)

    def analyses(self, ids: Sequence[str]) -> dict[str, Analysis]:
        """The analysis of each id that has one (one query per 500 ids)."""
        an, out = schema.analysis, {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                for row in conn.execute(select(an).where(an.c.record_id.in_(list(ids[i:i + 500])))).mappings():
                    out[row["record_id"]] = _analysis_from_row(row)
        return out

    def text_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        rec, ids = schema.records, list(ids)
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                out.update(conn.execute(select(rec.c.id, rec.c.text_hash).where(rec.c.id.in_(ids[i:i + 500]))).all())
        return out

    def done_count(self, stage: str) -> int:
        st = schema.stage_state
        return self.count(st, st.c.stage == stage)  # type: ignore[attr-defined]

    def reset_stage(self, stage: str, keys: dict[str, str] | None = None) -> None:
        """Forget everything ``stage`` processed, then mark ``keys`` done (a rebuild's outcome), in one transaction."""
        st = schema.stage_state
        with self.begin() as conn:
            conn.execute(st.delete().where(st.c.stage == stage))
            if keys:
                self.mark_done(stage, keys, conn)

    def forget_stages(self, prefix: str, keep: str) -> None:
        """Forget every stage named ``prefix…`` but ``keep`` (a stage keyed by its rules' fingerprint)."""
        st = schema.stage_state
        with self.begin() as conn:
            conn.execute(st.delete().where(st.c.stage.startswith(prefix, autoescape=True), st.c.stage != keep))

    def analysed_tokens(self, batch: int = 2000) -> Iterator[list[str]]:
        """The tokens of every analysed record, streamed (rebuilding corpus statistics)."""
        an = schema.analysis
        with self.engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=batch).execute(
                select(an.c.tokens).where(an.c.normalized_text.is_not(None)))
            for (tokens,) in rows:
                yield tokens or []

    def dup_sizes(self, groups: Iterable[str]) -> dict[str, int]:
        """How many records each near-duplicate group holds."""
        groups, an = sorted(set(groups)), schema.analysis
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(groups), 500):
                out.update((g, int(n)) for g, n in conn.execute(
                    select(an.c.dup_group, func.count()).where(an.c.dup_group.in_(groups[i:i + 500]))
                    .group_by(an.c.dup_group)))
        return out

    def stage_docs(self, after: str, columns: Sequence[str],
                   ids: Collection[str] | None = None) -> Iterator[dict[str, Any]]:
        """Analysed records whose ``after`` stage is done at their current text, oldest first, with
        their district and these ``analysis`` columns; with ``ids`` only those, looked up by key
        (a day's new demands cost what they are, not what the history is)."""
        rec, an, st = schema.records, schema.analysis, schema.stage_state
        q = (select(rec.c.id, rec.c.received_at, rec.c.district, *[an.c[c] for c in columns])
             .select_from(rec.join(an, an.c.record_id == rec.c.id)
                          .join(st, (st.c.record_id == rec.c.id) & (st.c.stage == after)
                                & (st.c.input_key == rec.c.text_hash))))
        with self.engine.connect() as conn:
            if ids is not None:
                wanted = sorted(ids)
                rows = [dict(r) for i in range(0, len(wanted), 500)
                        for r in conn.execute(q.where(rec.c.id.in_(wanted[i:i + 500]))).mappings()]
                yield from sorted(rows, key=lambda r: (r["received_at"] is not None, r["received_at"], r["id"]))
                return
            for row in conn.execution_options(stream_results=True, yield_per=2000).execute(
                    q.order_by(rec.c.received_at, rec.c.id)).mappings():
                yield dict(row)

    def latest_change(self) -> Any:
        """The newest change of a record, analysis or route (store time; a reassignment counts), or None."""
        with self.engine.connect() as conn:
            times = [conn.execute(select(func.max(c))).scalar_one() for c in (
                schema.records.c.updated_at, schema.analysis.c.updated_at, schema.routes.c.routed_at)]
        return max((t for t in times if t is not None), default=None)

    def duplicate_summary(self) -> dict[str, int]:
        """How many records sit in groups of two or more, and how many such groups there are."""
        an = schema.analysis
        sizes = (select(func.count().label("n")).where(an.c.dup_group.is_not(None)).group_by(an.c.dup_group)
                 .having(func.count() > 1).subquery())   # counted in SQL: a million groups stay there
        with self.engine.connect() as conn:
            groups, records = conn.execute(select(func.count(), func.coalesce(func.sum(sizes.c.n), 0))).one()
        return {"dup_groups": int(groups), "records_in_dup_groups": int(records)}
