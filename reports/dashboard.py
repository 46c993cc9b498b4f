"""The dashboard's data (一屏观全城): one JSON-ready dict for the office, or for one department
with its own demands only. Gathered from the store through the owner rule (``suqiu.ownership``,
the store's ``owner_column``) and the disclosure policy (masked headlines only, no personal
fields, points rounded to about a hundred metres).

Panels: today's and this week's volume against the expected and the daily trend with the forecast
band (``nlp.forecast_dashboard.volume_panel``), the weekly forecast, channels, the district map
(counts and this week's expectation per district) with a heat layer of points, overdue demands by
department, the open critical list, open warnings, top hotspots, satisfaction and the rates.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from nlp.forecast import ForecastSettings
from nlp.forecast_dashboard import volume_panel
from nlp.places import place_point
from reports.citymap import map_info
from suqiu.deadlines import due_at
from suqiu.disclosure import headline
from suqiu.installation import Installation
from suqiu.labels import OUTLIER_TOPIC, URGENCY, WARNING_KIND, WARNING_LEVEL, label
from suqiu.twoway.lifecycle import TIMED_STATUSES
from suqiu.model import OPEN_STATUSES
from suqiu.principals import Principal
from suqiu.store import DemandFilter, now_local
from suqiu.twoway.tracking import department_figures, satisfied
from suqiu.weeks import Week

WINDOW_DAYS = 30          # channels, the map, satisfaction and rates cover the last 30 days
HISTORY_DAYS = 730        # the volume panel's models see two years (yearly terms need them)
POINT_DECIMALS = 3        # ~110 m: a heat layer, never a doorstep
CITY = "全市"
# (label, DepartmentFigures attribute): rates shown when tracking provides them
RATES = (("响应率", "response_rate"), ("解决率", "resolution_rate"), ("满意率", "satisfaction_rate"),
         ("按时答复率", "on_time_rate"), ("办结率", "closure_rate"))


def _scope(app: Installation, principal: Principal) -> str | None:
    """The department whose demands the dashboard shows, or None for the whole city (the office)."""
    if principal.role not in ("office", "department"):
        raise PermissionError("the dashboard is for the office and the departments")
    return principal.canonical(app.config).required_department


def _volume(app: Installation, owner: str | None, now: datetime, arrivals: list[tuple]) -> dict[str, Any]:
    settings = ForecastSettings.from_config(app.config.forecast)
    return volume_panel([a[0] for a in arrivals], now, subject=owner or CITY, settings=settings)


def _weekly_forecast(app: Installation, owner: str | None) -> dict[str, Any] | None:
    """The stored weekly forecast of the scope (``nlp.forecast_views``), steps as plain lists."""
    doc = app.store.documents("forecast").get(f"department:{owner}" if owner else f"city:{CITY}")
    if doc is None:
        return None
    steps = [{"week": s["period"], "mean": round(s["mean"], 1),
              "intervals": {str(k): [round(v[0], 1), round(v[1], 1)] for k, v in s["intervals"].items()}}
             for s in doc["steps"]]
    return {"history_end": doc["history_end"], "recent": doc.get("recent", {}), "steps": steps,
            "method": doc.get("method"), "notes": doc.get("notes", [])}


def _points(arrivals: list[tuple], since: datetime) -> list[list[float]]:
    """[lon, lat, count] on a ~100 m grid: the source's point, else the text's finest place."""
    grid: Counter[tuple[float, float]] = Counter()
    for at, lon, lat, places in arrivals:
        if at < since:
            continue
        point = (lon, lat) if lon is not None and lat is not None else place_point(places or [])
        if point is not None:
            grid[(round(point[0], POINT_DECIMALS), round(point[1], POINT_DECIMALS))] += 1
    return [[lon, lat, n] for (lon, lat), n in sorted(grid.items())]


def _districts(app: Installation, rows: list[dict[str, Any]], owner: str | None, now: datetime) -> list[dict[str, Any]]:
    """Each configured district: demands in the window, this week so far and (for the office) the
    week's expectation from the stored district forecast."""
    week = Week.of(now)
    docs = app.store.documents("forecast") if owner is None else {}
    total = Counter(r["district"] or "未识别" for r in rows)
    this_week = Counter(r["district"] or "未识别" for r in rows if r["received_at"] >= week.start)
    names = [d.name for d in app.config.districts] + sorted(set(total) - {d.name for d in app.config.districts})
    out = []
    for name in names:
        doc = docs.get(f"district:{name}")
        step = next((s for s in doc["steps"] if s["period"] == str(week)), None) if doc else None
        out.append({"name": name, "value": int(total.get(name, 0)), "week": int(this_week.get(name, 0)),
                    "expected_week": None if step is None else round(step["mean"], 1)})
    return out


def _overdue(app: Installation, owner: str | None, now: datetime) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for received_at, category, who, urgency, override in app.store.open_rows(app.config, TIMED_STATUSES):
        if (owner is None or who == owner) and due_at(app.config, received_at, who, category, urgency, override) < now:
            counts[who or app.config.routing.triage_queue] += 1
    return [{"department": d, "count": n} for d, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _critical(app: Installation, owner: str | None, now: datetime, limit: int = 12) -> list[dict[str, Any]]:
    """Open critical and high-urgency demands, newest first, as masked headlines."""
    f = DemandFilter(statuses=list(OPEN_STATUSES), urgency=["critical", "high"], owner=owner, newest_first=True,
                     limit=limit * 3)
    rows = sorted(app.store.demand_rows(app.config, f), key=lambda r: (r["urgency_level"] != "critical",
                                                                         -r["received_at"].timestamp()))
    out = []
    for r in rows[:limit]:
        due = due_at(app.config, r["received_at"], r["owner"], r["category_given"], r["urgency_level"],
                     r["due_override"])
        out.append({"id": r["id"], "title": headline(r.get("masked_title"), r.get("masked_text"), 40) or "（待分析）",
                    "district": r["district"] or "", "department": r["owner"] or app.config.routing.triage_queue,
                    "urgency": r["urgency_level"], "urgency_label": label(URGENCY, r["urgency_level"]),
                    "received_at": f"{r['received_at']:%Y-%m-%d %H:%M}", "due_at": f"{due:%Y-%m-%d %H:%M}",
                    "overdue": due < now})
    return out


def _warnings(app: Installation, owner: str | None, now: datetime) -> list[dict[str, Any]]:
    """Warnings of this week and the last two; a department sees the forecast warning on itself only."""
    week = Week.of(now)
    rows = app.store.warning_rows([str(week.shift(-i)) for i in range(3)], limit=100)
    if owner is not None:
        rows = [w for w in rows if w["kind"] == "forecast_department" and w["subject"] == owner]
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    rows.sort(key=lambda w: (-int(w["week"].replace("-W", "")), rank.get(w["level"], 9), w["id"]))
    return [{"week": w["week"], "kind": w["kind"], "kind_label": label(WARNING_KIND, w["kind"]), "level": w["level"],
             "level_label": label(WARNING_LEVEL, w["level"]), "subject": w["subject"], "message": w["message"]}
            for w in rows[:20]]


def _hotspots(app: Installation, owner: str | None, top: int = 8) -> list[dict[str, Any]]:
    """The top hotspots; a department sees only those made of its own demands."""
    rows = app.store.hotspot_rows(top=50 if owner else top)
    if owner is not None:
        ids = [i for h in rows for i in h.get("record_ids", [])]
        owners = app.store.owners_of(app.config, ids) if ids else {}
        rows = [h for h in rows if h.get("record_ids") and all(owners.get(i) == owner for i in h["record_ids"])]
    # count: distinct demands (near-duplicates merged), as the weekly report counts them (nlp.hotspots)
    return [{"description": h.get("description", ""), "places": h.get("places") or h.get("place") or "",
             "span": h.get("span", ""), "count": h.get("count"), "submissions": h.get("submissions"),
             "requesters": h.get("requesters"), "heat": h.get("heat"),
             "topic": h.get("topic_label") or OUTLIER_TOPIC} for h in rows[:top]]


def _satisfaction(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for r in rows:
        ok = satisfied(r.get("satisfaction"))
        counts["满意" if ok else "不满意" if ok is False else "未评价"] += 1
    return [{"name": n, "value": int(counts.get(n, 0))} for n in ("满意", "不满意", "未评价")]


def _rates(app: Installation, owner: str | None, now: datetime) -> list[dict[str, Any]]:
    """The rates over demands received in the window; attributes tracking lacks are left out."""
    figs = list(department_figures(app.store, app.config, department=owner, now=now,
                                   since=now - timedelta(days=WINDOW_DAYS)).values())
    out = []
    for name, attr in RATES:
        pairs = [(getattr(f, attr), f.rated if attr == "satisfaction_rate" else f.assigned)
                 for f in figs if getattr(f, attr, None) is not None]
        basis = sum(w for _, w in pairs)
        if pairs and basis:
            out.append({"name": name, "key": attr, "value": round(sum(v * w for v, w in pairs) / basis, 4),
                        "basis": basis})
    return out


def dashboard_data(app: Installation, principal: Principal, now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows for ``principal`` (see the module docstring)."""
    now = now or now_local()
    owner = _scope(app, principal)
    since = now - timedelta(days=WINDOW_DAYS)
    arrivals = app.store.arrivals(app.config, now - timedelta(days=HISTORY_DAYS), owner)
    rows = [r for r in app.store.report_rows(app.config, since, now) if owner is None or r["department"] == owner]
    channels = Counter((r["channel"] or "其他") for r in rows)
    return {
        "generated_at": now.isoformat(timespec="seconds"), "city": app.config.city.name, "scope": owner or CITY,
        "window_days": WINDOW_DAYS, "total": len(rows),
        "volume": _volume(app, owner, now, arrivals), "forecast": _weekly_forecast(app, owner),
        "channels": [{"name": c, "value": n} for c, n in channels.most_common()],
        "districts": _districts(app, rows, owner, now), "points": _points(arrivals, since),
        "map": map_info(app), "overdue": _overdue(app, owner, now), "critical": _critical(app, owner, now),
        "warnings": _warnings(app, owner, now), "hotspots": _hotspots(app, owner),
        "satisfaction": _satisfaction(rows), "rates": _rates(app, owner, now),
    }
