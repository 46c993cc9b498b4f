"""Collect what the weekly report needs from the store (the I/O edge of ``reports.weekly``).

Only masked text leaves the store here: titles and contents come from the analysis stage's
``masked_title``/``masked_text``; a record not yet analysed shows no text at all.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from reports.period import Week
from reports.weekly import RECORD_COLUMNS, WeeklyData
from suqiu import schema
from suqiu.app import App
from suqiu.model import SHANGHAI
from suqiu.store import from_db_time, now_local, to_db_time

HISTORY_WEEKS = 8


def load_records(app: App, start: datetime, end: datetime) -> pd.DataFrame:
    rec, an = schema.records, schema.analysis
    q = (select(rec.c.id, rec.c.source, rec.c.channel, rec.c.received_at, rec.c.district, rec.c.requester_type,
                rec.c.status, rec.c.replied_at, rec.c.satisfaction, rec.c.votes_up, an.c.department,
                an.c.masked_title, an.c.masked_text, an.c.sentiment_label, an.c.urgency_level,
                an.c.urgency_reasons, an.c.topic_id, an.c.dup_group, an.c.keywords)
         .select_from(rec.outerjoin(an, an.c.record_id == rec.c.id))
         .where(rec.c.received_at >= to_db_time(start), rec.c.received_at < to_db_time(end)))
    with app.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    df = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    df["received_at"] = pd.to_datetime([from_db_time(v) for v in df["received_at"]], utc=True).tz_convert(SHANGHAI) \
        if len(df) else pd.Series(dtype="datetime64[ns, Asia/Shanghai]")
    df["replied_at"] = df["replied_at"].map(from_db_time) if len(df) else df["replied_at"]
    for col in ("urgency_reasons", "keywords"):
        df[col] = df[col].map(lambda v: v if isinstance(v, list) else [])
    return df


def collect_weekly(app: App, week: Week, now: datetime | None = None) -> WeeklyData:
    start = week.shift(-(HISTORY_WEEKS - 1)).start
    records = load_records(app, start, week.end)
    return WeeklyData(city=app.config.city.name, week=week, generated_at=now or now_local(), records=records)


def write_weekly_report(app: App, week: Week, out_dir=None, now: datetime | None = None) -> dict[str, str]:
    """Build the report for ``week`` and write HTML, DOCX and XLSX; returns their paths."""
    from pathlib import Path

    from reports.render import to_docx, to_html, to_xlsx
    from reports.weekly import build_weekly

    out = Path(out_dir) if out_dir else app.reports_dir / str(week)
    out.mkdir(parents=True, exist_ok=True)
    report = build_weekly(collect_weekly(app, week, now))
    stem = f"诉求周报-{week}"
    paths = {"html": out / f"{stem}.html", "docx": out / f"{stem}.docx", "xlsx": out / f"{stem}-附表.xlsx"}
    paths["html"].write_text(to_html(report), encoding="utf-8")
    paths["docx"].write_bytes(to_docx(report))
    paths["xlsx"].write_bytes(to_xlsx(report))
    return {k: str(v) for k, v in paths.items()}
