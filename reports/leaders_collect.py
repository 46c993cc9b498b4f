"""Collect what the leaders' reports need from the store, write them, keep the 每月一题 choice, and
mail them to ``[reports] recipients`` (the I/O edge of ``reports.leaders``).

Only masked text leaves the store: headlines from the analysis stage's masked text, replies
masked by ``suqiu.disclosure``. Reports are written under ``data/reports/<period>/`` with the
period's 每月一题 candidates as JSON beside them (the reports page offers them for the pick).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from nlp.pii import PiiMasker
from nlp.reply_quality import ReplyQualityScorer
from reports.collect import load_records
from reports.leaders import LeadersData, build_leaders
from reports.monthly_topic import candidates
from reports.periods import Period
from reports.render import to_docx, to_html, to_xlsx
from suqiu.deadlines import due_at
from suqiu.disclosure import Disclosure, headline
from suqiu.installation import Installation
from suqiu.labels import PERIOD, WARNING_KIND
from suqiu.store import now_local
from suqiu.twoway.tracking import department_figures
from suqiu.weeks import Week

PICK_KIND = "topic_pick"
CANDIDATES = 5


def _topics(app: Installation) -> dict[int, str]:
    return {int(t["id"]): str(t["label"]) for t in app.store.topic_rows(True)}


def scored_replies(app: Installation, period: Period, praise: set[str] | frozenset[str] = frozenset()
                   ) -> list[dict[str, Any]]:
    """The period's replies scored by ``nlp.reply_quality`` (masked), worst first; replies to the
    ids in ``praise`` (demands that thank or praise) are marked: a short thank-you is no failure."""
    scorer, disclose = ReplyQualityScorer(), Disclosure(PiiMasker())
    out = []
    for r in app.store.replies_between(app.config, period.start, period.end):
        s = scorer.score(r["normalized_text"] or r["masked_text"] or "", r["reply_text"], r["received_at"],
                         r["replied_at"], due_at(app.config, r["received_at"], r["department"], r["category_given"],
                                                 None) - r["received_at"],
                         r["keywords"] or None)
        out.append({"id": r["id"], "department": r["department"] or "待分派",
                    "title": headline(r["masked_title"], r["masked_text"]), "reply": disclose.mask(r["reply_text"]) or "",
                    "quality": round(s.score, 3), "days": "—" if s.response_days is None else f"{s.response_days:.1f}",
                    "reasons": list(s.reasons), "praise": r["id"] in praise})
    return sorted(out, key=lambda r: (r["quality"], r["id"]))


def _figures(app: Installation, period: Period, now: datetime) -> list[dict[str, Any]]:
    pct = lambda v: "—" if v is None else f"{v * 100:.0f}%"  # noqa: E731
    figs = department_figures(app.store, app.config, now=min(now, period.end), since=period.start)
    return [{"department": n, "assigned": f.assigned, "replied": f.answered, "overdue": f.overdue,
             "on_time_rate": pct(f.on_time_rate), "satisfaction_rate": pct(f.satisfaction_rate),
             "reply_quality": "—" if f.reply_quality_mean is None else f"{f.reply_quality_mean:.2f}"}
            for n, f in sorted(figs.items(), key=lambda kv: -kv[1].assigned) if f.assigned]


def _warnings(app: Installation, period: Period) -> list[dict[str, Any]]:
    weeks, week = [], Week.of(period.start)
    while week.start < period.end:
        weeks.append(str(week))
        week = week.shift(1)
    return [{"week": w["week"], "kind": WARNING_KIND.get(w["kind"], w["kind"]), "message": w["message"]}
            for w in app.store.warning_rows(weeks, limit=40)]


def collect_leaders(app: Installation, period: Period, now: datetime | None = None) -> LeadersData:
    now = now or now_local()
    records = load_records(app, min(period.year_ago.start, Period.of(period.end, "month").shift(-9).start),
                           period.end)
    topics = _topics(app)
    picks = sorted(app.store.documents(PICK_KIND).values(), key=lambda p: p["month"])
    praise = set(records.loc[records["sentiment_label"] == "positive", "id"]) if len(records) else set()
    return LeadersData(city=app.config.city.name, period=period, generated_at=now, records=records, topics=topics,
                       department_figures=_figures(app, period, now), replies=scored_replies(app, period, praise),
                       picks=picks, candidates=candidates(records, period, topics, CANDIDATES),
                       forecast=app.store.documents("forecast").get("city:全市"), warnings=_warnings(app, period))


def write_leaders_report(app: Installation, period: Period, out_dir: str | Path | None = None,
                         now: datetime | None = None) -> dict[str, str]:
    """Build and write the report (HTML, DOCX, XLSX) and the period's candidates; returns the paths."""
    out = Path(out_dir) if out_dir else app.reports_dir / str(period)
    out.mkdir(parents=True, exist_ok=True)
    data = collect_leaders(app, period, now)
    report = build_leaders(data)
    stem = f"诉求{PERIOD[period.kind]}-{period}"
    paths = {"html": out / f"{stem}.html", "docx": out / f"{stem}.docx", "xlsx": out / f"{stem}-附表.xlsx",
             "topics": out / f"每月一题候选-{period}.json"}
    paths["html"].write_text(to_html(report), encoding="utf-8")
    paths["docx"].write_bytes(to_docx(report))
    paths["xlsx"].write_bytes(to_xlsx(report))
    paths["topics"].write_text(json.dumps({"period": str(period), "summary": report.summary,
                                           "candidates": [c.as_dict() for c in data.candidates]},
                                          ensure_ascii=False, indent=1), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}


def pick_topic(app: Installation, month: str, topic_id: int, by: str | None = None, note: str = "",
               now: datetime | None = None) -> dict[str, Any]:
    """Record the office's 每月一题 for ``month`` (its reasons when it was a candidate); a new pick
    for the same month replaces the old one. ValueError naming the problem when the topic is unknown."""
    period = Period.parse(month, "month")
    topics = _topics(app)
    if topic_id not in topics:
        raise ValueError(f"话题 {topic_id} 不存在；可选：" + "、".join(f"{k} {v}" for k, v in sorted(topics.items())[:20]))
    records = load_records(app, period.shift(-6).start, period.end)
    found = next((c for c in candidates(records, period, topics, top=50) if c.topic_id == topic_id), None)
    pick = {"month": str(period), "topic_id": topic_id, "label": topics[topic_id], "by": by, "note": note,
            "reasons": list(found.reasons) if found else [], "picked_at": (now or now_local()).isoformat()}
    app.store.put_documents(PICK_KIND, {str(period): pick}, now or now_local())
    return pick


def period_candidates(app: Installation, period: Period) -> list[dict[str, Any]]:
    """The period's candidates as its report stored them, else computed now."""
    path = app.reports_dir / str(period) / f"每月一题候选-{period}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))["candidates"]
    records = load_records(app, period.shift(-6).start, period.end)
    return [c.as_dict() for c in candidates(records, period, _topics(app), CANDIDATES)]
