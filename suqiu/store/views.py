"""What the topic stage and the views stage keep: topics, demand profiles (需求画像), hotspots and
early warnings, and the rows they are built from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, union, update

from suqiu.config import Config
from suqiu.model import OUTLIER
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import from_db_time, local_times, to_db_time
from suqiu.store.routes import owner_column, with_routes

VIEW_COLUMNS = ("id", "source", "channel", "received_at", "district", "requester_type", "requester",
                "department_given", "business_name", "status", "replied_at", "satisfaction", "votes_up",
                "votes_down")
VIEW_ANALYSIS = ("masked_title", "masked_text", "keywords", "places", "topic_id", "topic_weight",
                 "sentiment_label", "sentiment_score", "urgency_level", "department", "dup_group", "publication")


class ViewsMixin(StoreBase):
    """The ``topics``, ``profiles``, ``hotspots``, ``warnings`` and ``documents`` tables."""

    # ------------------------------------------------------------------ topics
    def topic_keywords(self) -> dict[int, list[str]]:
        t = schema.topics
        with self.engine.connect() as conn:
            return {int(r.id): list(r.keywords or []) for r in conn.execute(select(t.c.id, t.c.keywords))}

    def topic_labels(self) -> dict[int, str]:
        t = schema.topics
        with self.engine.connect() as conn:
            return {int(r.id): r.label for r in conn.execute(select(t.c.id, t.c.label))}

    def write_topics(self, topics: dict[int, dict[str, Any]], now: datetime, emerging: bool) -> None:
        """Make exactly ``topics`` (stable id → values) active; others are retired, not deleted."""
        t, at = schema.topics, to_db_time(now)
        with self.begin() as conn:
            existing = {int(r.id) for r in conn.execute(select(t.c.id))}
            conn.execute(update(t).values(active=False, updated_at=at))
            for sid, values in topics.items():
                values = {**values, "active": True, "updated_at": at}
                if sid in existing:
                    conn.execute(update(t).where(t.c.id == sid).values(**values))
                else:
                    conn.execute(t.insert().values(id=sid, emerging=emerging, first_seen=at, **values))

    def refresh_topic_sizes(self) -> None:
        an, t = schema.analysis, schema.topics
        with self.begin() as conn:
            sizes = dict(conn.execute(select(an.c.topic_id, func.count()).where(an.c.topic_id.is_not(None))
                                      .group_by(an.c.topic_id)).all())
            for tid in [r[0] for r in conn.execute(select(t.c.id))]:
                conn.execute(update(t).where(t.c.id == tid).values(size=int(sizes.get(tid, 0))))

    def topic_rows(self, include_retired: bool = False) -> list[dict[str, Any]]:
        """Stored topics, largest first, each with its representatives' masked title and text."""
        t, an = schema.topics, schema.analysis
        q = select(t).order_by(t.c.size.desc(), t.c.id)
        if not include_retired:
            q = q.where(t.c.active)
        with self.engine.connect() as conn:
            rows = [local_times(dict(r)) for r in conn.execute(q).mappings()]
            rep_ids = [rid for r in rows for rid in (r["representatives"] or [])]
            texts = {r.record_id: (r.masked_title, r.masked_text) for r in conn.execute(
                select(an.c.record_id, an.c.masked_title, an.c.masked_text).where(an.c.record_id.in_(rep_ids)))}
        for r in rows:
            r["representative_texts"] = {rid: texts.get(rid, (None, None)) for rid in r["representatives"] or []}
        return rows

    def outlier_count(self) -> int:
        an = schema.analysis
        return self.count(an, an.c.topic_id == OUTLIER)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ what views are built from
    def view_rows(self, config: Config | None = None,
                  spans: Sequence[tuple[datetime, datetime]] | None = None) -> Iterable[dict[str, Any]]:
        """Every record (or those received within one of ``spans``, start included) with the analysis
        the views read (masked text only; with ``config`` its owner), oldest first."""
        rec, an = schema.records, schema.analysis
        cols = [rec.c[c] for c in VIEW_COLUMNS] + [an.c[c] for c in VIEW_ANALYSIS]
        q = with_routes(select(*cols, *([owner_column(config).label("owner")] if config else [])))
        if spans is not None:
            q = q.where(or_(*[and_(rec.c.received_at >= to_db_time(a), rec.c.received_at < to_db_time(b))
                              for a, b in spans]))
        q = q.order_by(rec.c.received_at, rec.c.id)
        with self.engine.connect() as conn:
            for row in conn.execution_options(stream_results=True, yield_per=2000).execute(q).mappings():
                yield local_times(dict(row))

    def changed_received(self, since: datetime, limit: int) -> list[datetime]:
        """When the demands whose record, analysis or route changed after ``since`` were received
        (at most ``limit``): the weeks an incremental views build must redo."""
        rec, an, rt, at = schema.records, schema.analysis, schema.routes, to_db_time(since)
        q = union(select(rec.c.received_at).where(rec.c.updated_at > at),
                  select(rec.c.received_at).join(an, an.c.record_id == rec.c.id).where(an.c.updated_at > at),
                  select(rec.c.received_at).join(rt, rt.c.record_id == rec.c.id).where(rt.c.routed_at > at))
        with self.engine.connect() as conn:
            return [from_db_time(t) for (t,) in conn.execute(q.limit(limit))]

    def received_span(self, earliest: datetime, latest: datetime) -> tuple[datetime, datetime] | None:
        """The first and last moment a demand within [earliest, latest] was received (index lookups)."""
        rec = schema.records
        window = (rec.c.received_at >= to_db_time(earliest), rec.c.received_at <= to_db_time(latest))
        with self.engine.connect() as conn:
            first = conn.execute(select(func.min(rec.c.received_at)).where(*window)).scalar_one()
            last = conn.execute(select(func.max(rec.c.received_at)).where(*window)).scalar_one()
        return None if first is None else (from_db_time(first), from_db_time(last))

    # ------------------------------------------------------------------ profiles, hotspots, warnings
    def replace_views(self, profiles: Sequence[dict[str, Any]], hotspots: Sequence[dict[str, Any]],
                      warnings: Sequence[dict[str, Any]], now: datetime, weeks: Sequence[str] | None = None) -> None:
        """All stored profiles (or those of ``weeks``) and hotspots become these; warnings are upserted
        (first_seen kept).

        Profiles go in budgeted batches (``in_batches``), each row whole (a reader sees a profile of
        this build or of the last, never half of one); then one short transaction drops the last
        build's leftovers and writes the hotspots and warnings."""
        at = self._write_profiles(profiles, now)
        with self.begin() as conn:
            p = schema.profiles
            conn.execute(p.delete().where(p.c.updated_at != at, *(() if weeks is None else (p.c.week.in_(weeks),))))
            conn.execute(schema.hotspots.delete())
            if hotspots:
                conn.execute(schema.hotspots.insert(), [
                    {"id": h["id"], "rank": i, "heat": h["heat"], "topic_id": h["topic_id"], "place": h["place"],
                     "start": to_db_time(datetime.fromisoformat(h["start"])),
                     "end": to_db_time(datetime.fromisoformat(h["end"])), "data": h, "updated_at": at}
                    for i, h in enumerate(hotspots, start=1)])
            w = schema.warnings
            seen = {r.id for r in conn.execute(select(w.c.id))}
            for item in warnings:
                values = {k: item[k] for k in ("kind", "week", "subject", "level", "message", "evidence")}
                if item["id"] in seen:
                    conn.execute(update(w).where(w.c.id == item["id"]).values(**values, updated_at=at))
                else:
                    conn.execute(w.insert().values(id=item["id"], first_seen=at, updated_at=at, **values))

    def replace_profiles(self, profiles: Sequence[dict[str, Any]], now: datetime) -> None:
        at = self._write_profiles(profiles, now)
        self.write_one(schema.profiles.delete().where(schema.profiles.c.updated_at != at))

    def _write_profiles(self, profiles: Sequence[dict[str, Any]], now: datetime) -> datetime | None:
        """Upsert ``profiles`` stamped with ``now`` (what is not stamped so is the last build's); the stamp."""
        at = to_db_time(now)

        def write(chunk: list[dict[str, Any]]) -> None:
            with self.begin() as conn:
                self.upsert_rows(conn, schema.profiles, [
                    {"id": p["id"], "dimension": p["dimension"], "value": p["value"], "week": p["week"],
                     "volume": p["volume"], "data": p, "updated_at": at} for p in chunk], keys=["id"])
        for _ in self.in_batches(profiles, write, most=500):
            pass
        return at

    def profile_rows(self, dimension: str | None = None, week: str | None = None,
                     values: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Stored profiles (newest week first); ``values`` limits a dimension to those values."""
        p = schema.profiles
        q = select(p).order_by(p.c.week.desc(), p.c.dimension, p.c.volume.desc(), p.c.value)
        if dimension:
            q = q.where(p.c.dimension == dimension)
        if week:
            q = q.where(p.c.week == week)
        if values is not None:
            q = q.where(p.c.value.in_(list(values)))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def profile_row(self, profile_id: str) -> dict[str, Any] | None:
        p = schema.profiles
        with self.engine.connect() as conn:
            row = conn.execute(select(p).where(p.c.id == profile_id)).mappings().first()
        return None if row is None else dict(row)

    def latest_profile_week(self, dimension: str) -> str | None:
        p = schema.profiles
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(p.c.week)).where(p.c.dimension == dimension)).scalar_one()

    def hotspot_rows(self, top: int = 10) -> list[dict[str, Any]]:
        h = schema.hotspots
        with self.engine.connect() as conn:
            return [r.data for r in conn.execute(select(h.c.data).order_by(h.c.rank).limit(top))]

    def warning_rows(self, weeks: Sequence[str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
        w = schema.warnings
        q = select(w).order_by(w.c.week.desc(), w.c.level, w.c.id).limit(limit)
        if weeks is not None:
            q = q.where(w.c.week.in_(list(weeks)))
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    # ------------------------------------------------------------------ documents
    def put_documents(self, kind: str, docs: dict[str, Any], now: datetime, replace: bool = False) -> None:
        """Store ``docs`` (key → JSON data) of ``kind``; with ``replace`` the kind holds these only."""
        d = schema.documents
        with self.begin() as conn:
            conn.execute(d.delete().where(d.c.kind == kind, *([] if replace else [d.c.key.in_(list(docs))])))
            if docs:
                conn.execute(d.insert(), [{"kind": kind, "key": k, "data": v, "updated_at": to_db_time(now)}
                                          for k, v in docs.items()])

    def documents(self, kind: str) -> dict[str, Any]:
        d = schema.documents
        with self.engine.connect() as conn:
            return {r.key: r.data for r in conn.execute(select(d.c.key, d.c.data).where(d.c.kind == kind)
                                                         .order_by(d.c.key))}
