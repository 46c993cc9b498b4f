"""Collect what the weekly report needs from the store (the I/O edge of ``reports.weekly``).

Only masked text leaves the store here: titles and contents come from the analysis stage's
``masked_title``/``masked_text``; a record not yet analysed shows no text at all.
"""

from __future__ import annotations

from datetime import datetime

from pathlib import Path

import pandas as pd

from nlp.pii import PiiMasker
from nlp.reply_quality import ReplyQualityScorer
from reports.import_quality import quality_tables
from reports.render import to_docx, to_html, to_xlsx
from reports.values import Number, Percent
from reports.weekly import RECORD_COLUMNS, WeeklyData, build_weekly
from suqiu.deadlines import due_at
from suqiu.disclosure import Disclosure
from suqiu.installation import Installation
from suqiu.labels import WARNING_KIND, WARNING_LEVEL, WARNING_STATE
from suqiu.model import SHANGHAI
from suqiu.store import now_local
from suqiu.twoway.rates import department_rates, weekly_rates
from suqiu.twoway.tracking import department_figures
from suqiu.twoway.warning_steps import with_states
from suqiu.weeks import Week

HISTORY_WEEKS = 8


def load_records(app: Installation, start: datetime, end: datetime) -> pd.DataFrame:
    """Demands received in [start, end) with their owner and masked analysis."""
    df = pd.DataFrame(app.store.report_rows(app.config, start, end), columns=RECORD_COLUMNS)
    df["received_at"] = pd.to_datetime(list(df["received_at"]), utc=True).tz_convert(SHANGHAI) \
        if len(df) else pd.Series(dtype="datetime64[ns, Asia/Shanghai]")
    for col in ("urgency_reasons", "keywords"):
        df[col] = df[col].map(lambda v: v if isinstance(v, list) else [])
    return df


FIGURE_WEEKS = 4   # reply figures cover demands received in the last four weeks


def _topics(app: Installation) -> list[dict]:
    return [{"id": t["id"], "label": t["label"], "keywords": t["keywords"]} for t in app.store.topic_rows(True)]


def _hotspots(app: Installation, week: Week) -> list[dict]:
    """Hotspots still active in the report week, hottest first (masked headlines only)."""
    out = []
    for h in app.store.hotspot_rows(top=50):
        if datetime.fromisoformat(h["end"]) < week.start:
            continue
        titles = [r["title"] for r in h.get("representatives", [])[:2] if r.get("title")]
        out.append({"description": "；".join(titles) or h.get("description", ""),
                    "headline": h.get("headline", ""), "example": titles[0] if titles else "",
                    "places": h.get("places") or h.get("place"), "span": h.get("span", ""),
                    "count": h.get("count"), "requesters": h.get("requesters"), "submissions": h.get("submissions"),
                    "heat": h.get("heat"), "topic": h.get("topic_label", "")})
    return out[:10]


def _warnings(app: Installation, week: Week) -> list[dict]:
    out = []
    for w in with_states(app, app.store.warning_rows([str(week)])):
        ev = w.get("evidence") or {}
        basis = []
        if "count" in ev:
            basis.append(f"本周 {ev['count']} 件")
        if "baseline" in ev:
            basis.append(f"基线 {ev['baseline']:g} 件")
        titles = [r.get("title") for r in ev.get("records", [])[:3] if r.get("title")]
        if titles:
            basis.append("如：" + "；".join(titles))
        out.append({"kind": f"{WARNING_KIND.get(w['kind'], w['kind'])}（{WARNING_LEVEL.get(w['level'], w['level'])}）",
                    "subject": w["subject"], "detail": w["message"], "evidence": "，".join(basis),
                    "state": WARNING_STATE.get(w["state"], w["state"]) + (f"（{w['state_by']}）" if w["state_by"] else "")})
    return out


def _pct(v: float | None) -> Percent:
    return Percent(v)


def _department_figures(app: Installation, week: Week, records: pd.DataFrame, now: datetime) -> list[dict]:
    this = records[(records["received_at"] >= week.start) & (records["received_at"] < week.end)] \
        if len(records) else records
    received = this["department"].value_counts() if len(this) else pd.Series(dtype=int)
    since, until = week.shift(-(FIGURE_WEEKS - 1)).start, min(now, week.end)
    figs = department_figures(app.store, app.config, now=until, since=since)
    rates = department_rates(app.store, app.config, now=until, since=since, until=week.end)
    rows = []
    for name, f in figs.items():
        if not f.assigned and not int(received.get(name, 0)):
            continue
        r = rates[name]
        three = {"response_rate": _rate(r.response_rate, r.enough["response"], r.signed_on_time, r.response_base),
                 "resolution_rate": _rate(r.resolution_rate, r.enough["resolution"], r.solved, r.called_back),
                 "satisfaction_3": _rate(r.satisfaction_rate, r.enough["satisfaction"], r.satisfied, r.rated),
                 "composite": "样本不足" if r.composite is None else Number(r.composite, 1)}
        med = f.response_hours_median
        rows.append({"department": name, "received": int(received.get(name, 0)), "assigned": f.assigned,
                     "replied": f.answered, "overdue": f.overdue, "passed_on": f.passed_on, "rankable": f.rankable,
                     "median_response_days": Number(None if med is None else med / 24, 1),
                     "on_time_rate": _pct(f.on_time_rate), "satisfaction_rate": _pct(f.satisfaction_rate),
                     "reopen_rate": _pct(f.reopen_rate),
                     "reply_quality": Number(f.reply_quality_mean, 2), **three})
    return sorted(rows, key=lambda r: -r["assigned"])


def _rate(value: float | None, enough: bool, num: int, base: int) -> str:
    if not base:
        return "—"
    return f"{value * 100:.0f}%（{num}/{base}）" if enough and value is not None else f"样本不足（{num}/{base}）"


def _weekly_rates(app: Installation, week: Week, now: datetime) -> list[dict]:
    """Each department's composite score in each of the last four weeks (by the week received)."""
    weeks = [week.shift(-i) for i in range(FIGURE_WEEKS - 1, -1, -1)]
    per_week = weekly_rates(app.store, app.config, weeks, now=min(now, week.end))
    rows = []
    for dept in (d.name for d in app.config.departments):
        cells = [per_week[str(w)][dept] for w in weeks]
        if not any(c.response_base or c.called_back or c.rated for c in cells):
            continue
        rows.append({"department": dept, "weeks": [str(w) for w in weeks],
                     "scores": ["样本不足" if c.composite is None else Number(c.composite, 1) for c in cells]})
    return rows


def _notable_replies(app: Installation, week: Week, limit: int = 8) -> list[dict]:
    """This week's replies that score best on relevance, completeness, explanation and timeliness."""
    scorer, disclose = ReplyQualityScorer(), Disclosure(PiiMasker())
    scored = []
    for r in app.store.replies_between(app.config, week.start, week.end):
        s = scorer.score(r["normalized_text"] or r["masked_text"] or "", r["reply_text"], r["received_at"],
                         r["replied_at"], due_at(app.config, r["received_at"], r["department"], r["category_given"],
                                                 None) - r["received_at"],
                         r["keywords"] or None)
        scored.append((s.score, r, s.response_days))
    scored.sort(key=lambda x: (-x[0], x[1]["id"]))
    return [{"department": r["department"] or "", "title": r["masked_title"] or r["masked_text"] or "",
             "reply": disclose.mask(r["reply_text"]), "quality": Number(score, 2),
             "days": Number(days, 1)} for score, r, days in scored[:limit]]


def collect_weekly(app: Installation, week: Week, now: datetime | None = None) -> WeeklyData:
    now = now or now_local()
    start = week.shift(-(HISTORY_WEEKS - 1)).start
    records = load_records(app, start, week.end)
    return WeeklyData(city=app.config.city.name, week=week, generated_at=now, records=records,
                      topics=_topics(app), hotspots=_hotspots(app, week), warnings=_warnings(app, week),
                      department_figures=_department_figures(app, week, records, now),
                      rates_weekly=_weekly_rates(app, week, now),
                      notable_replies=_notable_replies(app, week),
                      appendix=quality_tables(app.store.runs_between("import", week.start, week.end), PiiMasker()))


def write_weekly_report(app: Installation, week: Week, out_dir: str | Path | None = None, now: datetime | None = None) -> dict[str, str]:
    """Build the report for ``week`` and write HTML, DOCX and XLSX; returns their paths."""
    out = Path(out_dir) if out_dir else app.reports_dir / str(week)
    out.mkdir(parents=True, exist_ok=True)
    report = build_weekly(collect_weekly(app, week, now))
    stem = f"诉求周报-{week}"
    paths = {"html": out / f"{stem}.html", "docx": out / f"{stem}.docx", "xlsx": out / f"{stem}-附表.xlsx"}
    paths["html"].write_text(to_html(report), encoding="utf-8")
    paths["docx"].write_bytes(to_docx(report))
    paths["xlsx"].write_bytes(to_xlsx(report))
    return {k: str(v) for k, v in paths.items()}
