"""Rows the reports are built from: demands of a period with their masked analysis and owner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from suqiu.config import Config
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import from_db_time, local_times, to_db_time
from suqiu.store.routes import owner_column, with_routes


class ReportingMixin(StoreBase):
    """Period queries for the weekly (and longer) reports."""

    def report_rows(self, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Demands received in [start, end) with what the report shows (masked text only)."""
        rec, an = schema.records, schema.analysis
        q = with_routes(select(
            rec.c.id, rec.c.source, rec.c.channel, rec.c.received_at, rec.c.district, rec.c.requester_type,
            rec.c.status, rec.c.replied_at, rec.c.satisfaction, rec.c.votes_up,
            owner_column(config).label("department"), an.c.masked_title, an.c.masked_text, an.c.sentiment_label,
            an.c.urgency_level, an.c.urgency_reasons, an.c.topic_id, an.c.dup_group, an.c.keywords, rec.c.transfer_count))
        q = q.where(rec.c.received_at >= to_db_time(start), rec.c.received_at < to_db_time(end))
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def replies_between(self, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Analysed demands replied to in [start, end): raw reply (the caller masks it) and owner."""
        rec, an = schema.records, schema.analysis
        q = with_routes(select(
            rec.c.id, rec.c.received_at, rec.c.replied_at, rec.c.reply_text, rec.c.category_given,
            owner_column(config).label("department"), an.c.masked_title, an.c.masked_text, an.c.normalized_text,
            an.c.keywords))
        q = q.where(an.c.record_id.is_not(None), rec.c.replied_at >= to_db_time(start),
                    rec.c.replied_at < to_db_time(end), rec.c.reply_text.is_not(None))
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def arrivals(self, config: Config, since: datetime, owner: str | None = None) -> list[tuple[Any, ...]]:
        """(received_at, lon, lat, places) of demands received since ``since`` (``owner``'s only), oldest first."""
        rec, an = schema.records, schema.analysis
        q = with_routes(select(rec.c.received_at, rec.c.lon, rec.c.lat, an.c.places))
        q = q.where(rec.c.received_at >= to_db_time(since)).order_by(rec.c.received_at)
        if owner is not None:
            q = q.where(owner_column(config) == owner)
        with self.engine.connect() as conn:
            return [(from_db_time(r[0]), r[1], r[2], r[3]) for r in conn.execute(q)]
