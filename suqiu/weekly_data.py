"""Collect what the weekly report needs from the store (the I/O edge of ``reports.weekly``).

Only masked text leaves the store here: titles and contents come from the analysis stage's
``masked_title``/``masked_text``; a record not yet analysed shows no text at all.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import func, select

from reports.period import Week
from reports.weekly import RECORD_COLUMNS, WeeklyData
from suqiu import schema
from suqiu.app import App
from suqiu.model import SHANGHAI
from suqiu.store import from_db_time, now_local, to_db_time

HISTORY_WEEKS = 8


def load_records(app: App, start: datetime, end: datetime) -> pd.DataFrame:
    rec, an, rt = schema.records, schema.analysis, schema.routes
    # the department is the routing decision (reassignments included), else the classifier's proposal
    q = (select(rec.c.id, rec.c.source, rec.c.channel, rec.c.received_at, rec.c.district, rec.c.requester_type,
                rec.c.status, rec.c.replied_at, rec.c.satisfaction, rec.c.votes_up,
                func.coalesce(rt.c.department, an.c.department).label("department"),
                an.c.masked_title, an.c.masked_text, an.c.sentiment_label, an.c.urgency_level,
                an.c.urgency_reasons, an.c.topic_id, an.c.dup_group, an.c.keywords)
         .select_from(rec.outerjoin(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id))
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


WARNING_KIND_CN = {"surge_topic": "话题激增", "surge_district": "区域激增", "urgent_cluster": "紧急诉求聚集",
                   "emerging_topic": "新话题"}
LEVEL_CN = {"high": "高", "medium": "中", "low": "低"}
FIGURE_WEEKS = 4   # reply figures cover demands received in the last four weeks


def _topics(app: App) -> list[dict]:
    from suqiu.topics_stage import list_topics
    return [{"id": t["id"], "label": t["label"], "keywords": t["keywords"]} for t in list_topics(app.store, True)]


def _hotspots(app: App, week: Week) -> list[dict]:
    """Hotspots still active in the report week, as the report shows them (masked headlines only)."""
    from suqiu.topics_stage import list_hotspots
    out = []
    for h in list_hotspots(app.store, top=50):
        if datetime.fromisoformat(h["end"]) < week.start:
            continue
        reps = "；".join(r["title"] for r in h.get("representatives", [])[:2] if r.get("title"))
        out.append({"description": reps or h.get("description", ""), "places": h.get("places") or h.get("place"),
                    "span": h.get("span", ""), "count": h.get("submissions", h.get("count")), "heat": h.get("heat"),
                    "topic": h.get("topic_label", "")})
    return out[:10]


def _warnings(app: App, week: Week) -> list[dict]:
    from suqiu.topics_stage import list_warnings
    out = []
    for w in list_warnings(app.store, week=str(week)):
        ev = w.get("evidence") or {}
        basis = []
        if "count" in ev:
            basis.append(f"本周 {ev['count']} 件")
        if "baseline" in ev:
            basis.append(f"基线 {ev['baseline']:g} 件")
        titles = [r.get("title") for r in ev.get("records", [])[:3] if r.get("title")]
        if titles:
            basis.append("如：" + "；".join(titles))
        out.append({"kind": f"{WARNING_KIND_CN.get(w['kind'], w['kind'])}（{LEVEL_CN.get(w['level'], w['level'])}）",
                    "subject": w["subject"], "detail": w["message"], "evidence": "，".join(basis)})
    return out


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.0f}%"


def _department_figures(app: App, week: Week, records: pd.DataFrame, now: datetime) -> list[dict]:
    from suqiu.tracking import department_figures
    this = records[(records["received_at"] >= week.start) & (records["received_at"] < week.end)] \
        if len(records) else records
    received = this["department"].value_counts() if len(this) else pd.Series(dtype=int)
    figs = department_figures(app.store, app.config, now=min(now, week.end),
                              since=week.shift(-(FIGURE_WEEKS - 1)).start)
    rows = []
    for name, f in figs.items():
        if not f.assigned and not int(received.get(name, 0)):
            continue
        med = f.response_hours_median
        rows.append({"department": name, "received": int(received.get(name, 0)), "assigned": f.assigned,
                     "replied": f.answered, "overdue": f.overdue, "rankable": f.rankable,
                     "median_response_days": "—" if med is None else f"{med / 24:.1f}",
                     "on_time_rate": _pct(f.on_time_rate), "satisfaction_rate": _pct(f.satisfaction_rate),
                     "reopen_rate": _pct(f.reopen_rate),
                     "reply_quality": "—" if f.reply_quality_mean is None else f"{f.reply_quality_mean:.2f}"})
    return sorted(rows, key=lambda r: -r["assigned"])


def _notable_replies(app: App, week: Week, limit: int = 8) -> list[dict]:
    """This week's replies that score best on relevance, completeness, explanation and timeliness."""
    from nlp.pii import PiiMasker
    from nlp.reply_quality import ReplyQualityScorer
    from suqiu.tracking import time_limit
    rec, an = schema.records, schema.analysis
    rt = schema.routes
    q = (select(rec.c.id, rec.c.received_at, rec.c.replied_at, rec.c.reply_text, rec.c.category_given,
                func.coalesce(rt.c.department, an.c.department, rec.c.replied_by).label("department"),
                an.c.masked_title, an.c.masked_text, an.c.normalized_text, an.c.keywords)
         .select_from(rec.join(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id))
         .where(rec.c.replied_at >= to_db_time(week.start), rec.c.replied_at < to_db_time(week.end),
                rec.c.reply_text.is_not(None)))
    scorer, mask = ReplyQualityScorer(), PiiMasker()
    scored = []
    with app.store.engine.connect() as conn:
        for r in conn.execute(q).mappings():
            received, replied = from_db_time(r["received_at"]), from_db_time(r["replied_at"])
            s = scorer.score(r["normalized_text"] or r["masked_text"] or "", r["reply_text"], received, replied,
                             time_limit(app.config, r["department"], r["category_given"]), r["keywords"] or None)
            scored.append((s.score, r, s.response_days))
    scored.sort(key=lambda x: (-x[0], x[1]["id"]))
    return [{"department": r["department"] or "", "title": r["masked_title"] or r["masked_text"] or "",
             "reply": mask(r["reply_text"]), "quality": f"{score:.2f}",
             "days": "—" if days is None else f"{days:.1f}"} for score, r, days in scored[:limit]]


def collect_weekly(app: App, week: Week, now: datetime | None = None) -> WeeklyData:
    now = now or now_local()
    start = week.shift(-(HISTORY_WEEKS - 1)).start
    records = load_records(app, start, week.end)
    return WeeklyData(city=app.config.city.name, week=week, generated_at=now, records=records,
                      topics=_topics(app), hotspots=_hotspots(app, week), warnings=_warnings(app, week),
                      department_figures=_department_figures(app, week, records, now),
                      notable_replies=_notable_replies(app, week))


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
