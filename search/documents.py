"""What the search index holds: demands, demand profiles (需求画像) and topics, as plain dicts.

Pure: takes stored rows, returns the dicts both backends index. Only the PII-masked title and
text of a demand go in (``analysis.masked_title`` / ``masked_text``); a record that has no masked
text yet is not indexable (``None``), so raw content can never reach an index. Profiles and topics
are written from their own figures plus masked headlines only.

All three share one index and one mapping, told apart by ``kind``. A profile puts its value into
the field of its dimension (district, channel, department, business_name), so the filters, facets
and the department access rule apply to it unchanged: a department sees the profile of its own
department and no other. Topics aggregate every department's demands and carry no department, so
departments never see them. A demand carries its 分级分类 (``publication``, ``sensitivity``; None
until classified: the office's only); profiles and topics are ``internal`` (the public sees none).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from suqiu.disclosure import AGGREGATE_LEVEL
from nlp.places import place_point
from suqiu.labels import DIMENSION as DIMENSION_LABELS
from suqiu.labels import REQUESTER as REQUESTER_LABELS
from suqiu.model import OPEN_STATUSES, SHANGHAI, Analysis, as_shanghai
from suqiu.weeks import week_start

# fields returned with every hit (the indexed document minus the segmented text)
HIT_FIELDS: tuple[str, ...] = (
    "kind", "source", "channel", "url", "received_at", "title", "content", "district", "department",
    "category", "status", "sentiment", "sentiment_score", "urgency", "topic", "heat", "votes_up",
    "keywords", "due_at", "open", "has_reply", "dup_group", "business_name", "rating", "dimension", "week",
    "publication", "sensitivity",
)


def iso(value: datetime | None) -> str | None:
    return None if value is None else as_shanghai(value).isoformat(timespec="seconds")


def heat(record: dict[str, Any], dup_size: int = 1) -> float:
    """How much attention a demand draws: votes plus the near-duplicates that repeat it."""
    return float((record.get("votes_up") or 0) + max(dup_size - 1, 0))


def location(record: dict[str, Any], analysis: Analysis | None) -> dict[str, float] | None:
    """Where a demand is, for the bounding-box filter (never returned in hits): the source's point
    (Open311 lat/long), else the finest place in its text with configured coordinates."""
    if record.get("lat") is not None and record.get("lon") is not None:
        return {"lat": float(record["lat"]), "lon": float(record["lon"])}
    point = place_point(analysis.places) if analysis is not None else None
    return None if point is None else {"lat": point[1], "lon": point[0]}


def demand_document(record: dict[str, Any], analysis: Analysis | None, *, owner: str | None = None,
                    due_at: datetime | None = None, dup_size: int = 1) -> dict[str, Any] | None:
    """The indexable document for one record, or None while it has no masked text.

    ``owner`` is the owning department (``suqiu.ownership``): the department filter and the
    department access rule read it."""
    if analysis is None or analysis.masked_text is None:
        return None
    department = owner
    title = analysis.masked_title if analysis.masked_title is not None else ""
    return {
        "id": record["id"],
        "kind": "demand",
        "source": record["source"],
        "channel": record.get("channel") or "",
        "url": record.get("url"),
        "received_at": iso(record["received_at"]),
        "title": title,
        "content": analysis.masked_text,
        "district": record.get("district"),
        "department": department,
        "category": record.get("category_given"),
        "status": record["status"],
        "sentiment": analysis.sentiment_label.value if analysis.sentiment_label else None,
        "sentiment_score": analysis.sentiment_score,
        "urgency": analysis.urgency_level.value if analysis.urgency_level else None,
        "topic": analysis.topic_id,
        "heat": heat(record, dup_size),
        "votes_up": record.get("votes_up"),
        "keywords": list(analysis.keywords),
        "due_at": iso(due_at),
        "open": record["status"] in OPEN_STATUSES,
        "has_reply": bool(record.get("reply_text")),
        "dup_group": analysis.dup_group,
        "business_name": record.get("business_name"),
        "rating": record.get("rating"),
        "version": int(record.get("version") or 1),
        "publication": analysis.publication,
        "sensitivity": analysis.sensitivity,
        "location": location(record, analysis),
    }


def searchable_text(doc: dict[str, Any]) -> str:
    title = doc.get("title") or ""
    content = doc.get("content") or ""
    return f"{title}\n{content}" if title else content


# ---------------------------------------------------------------------------- profiles and topics
PROFILE_PREFIX = "profile:"
TOPIC_PREFIX = "topic:"
UNKNOWN_VALUE = "未知"  # nlp.profiles.UNKNOWN: the value of demands that lack the dimension
# dimension -> the indexed field its value fills (requester_type has none: it is in dimension/title)
PROFILE_FIELDS = {"district": "district", "channel": "channel", "department": "department",
                  "business": "business_name"}
MAX_KEYWORDS = 10


def _aggregate(doc_id: str, kind: str) -> dict[str, Any]:
    """Every demand field present and empty: a profile or topic is no demand (never open, no status)."""
    return {"id": doc_id, "kind": kind, "source": None, "channel": None, "url": None, "received_at": None,
            "title": "", "content": "", "district": None, "department": None, "category": None, "status": None,
            "sentiment": None, "sentiment_score": None, "urgency": None, "topic": None, "heat": 0.0,
            "votes_up": None, "keywords": [], "due_at": None, "open": False, "has_reply": False,
            "dup_group": None, "business_name": None, "rating": None, "version": 1, "dimension": None,
            "week": None, "publication": AGGREGATE_LEVEL, "sensitivity": None, "location": None}


def _week_start(profile: dict[str, Any]) -> date:
    raw = profile.get("week_start")
    if raw:
        return date.fromisoformat(str(raw)[:10])
    return week_start(profile["week"])


def profile_value_label(dimension: str, value: str) -> str:
    return REQUESTER_LABELS.get(value, value) if dimension == "requester_type" else value


def profile_document(profile: dict[str, Any], *, config: Any | None = None) -> dict[str, Any]:
    """The indexable document of one profile (``nlp.profiles.build_profiles`` shape).

    Searchable text: top keywords, topic-mix labels and the representatives' masked headlines.
    ``received_at`` is the week's Monday, ``heat`` the volume, ``topic`` the largest topic.
    """
    dimension, value, week = str(profile["dimension"]), str(profile["value"]), str(profile["week"])
    pid = profile.get("id") or f"{dimension}:{value}:{week}"
    start = _week_start(profile)
    volume = int(profile.get("volume") or 0)
    keywords = [str(k) for k in (profile.get("top_keywords") or [])][:MAX_KEYWORDS]
    mix = [m for m in (profile.get("topic_mix") or []) if isinstance(m, dict)]
    labels = list(dict.fromkeys(str(m["label"]) for m in mix if m.get("label")))
    heads = list(dict.fromkeys(str(r["title"]) for r in (profile.get("representatives") or [])
                               if isinstance(r, dict) and r.get("title")))
    if dimension == "department" and config is not None:  # a source's alias: the configured name
        dept = config.department(value)
        value = dept.name if dept is not None else value
    shown = profile_value_label(dimension, value)
    parts = [f"{DIMENSION_LABELS.get(dimension, dimension)}：{shown}，{week}（{start.isoformat()} 起）"
             f"共 {volume} 件诉求"]
    if profile.get("previous_volume") is not None:
        parts[0] += f"，上周 {int(profile['previous_volume'])} 件"
    if keywords:
        parts.append("高频词：" + "、".join(keywords))
    if labels:
        parts.append("主要主题：" + "、".join(labels))
    if heads:
        parts.append("代表诉求：" + "；".join(heads))
    doc = _aggregate(PROFILE_PREFIX + pid, "profile")
    doc.update(
        received_at=iso(datetime.combine(start, time.min, tzinfo=SHANGHAI)),
        title=f"{shown} · {week} 需求画像", content="。".join(parts) + "。",
        topic=next((int(m["topic_id"]) for m in mix if m.get("topic_id") is not None), None),
        heat=float(volume), keywords=keywords, dimension=dimension, week=week,
    )
    field = PROFILE_FIELDS.get(dimension)
    if field and value and value != UNKNOWN_VALUE:
        doc[field] = value
    return doc


def topic_document(topic: dict[str, Any], headlines: Sequence[str] = ()) -> dict[str, Any]:
    """The indexable document of one topic (a ``topics`` row); ``headlines`` are its representative
    demands' masked headlines. ``received_at`` is when the topic was first seen, ``heat`` its size."""
    tid = int(topic["id"])
    label = str(topic.get("label") or f"主题 {tid}")
    keywords = [str(k) for k in (topic.get("keywords") or [])][:MAX_KEYWORDS]
    size = int(topic.get("size") or 0)
    heads = list(dict.fromkeys(h for h in headlines if h))
    parts = [f"主题：{label}，共 {size} 件诉求"]
    if keywords:
        parts.append("关键词：" + "、".join(keywords))
    if heads:
        parts.append("代表诉求：" + "；".join(heads))
    seen = topic.get("first_seen") or topic.get("updated_at")
    if isinstance(seen, str):
        seen = datetime.fromisoformat(seen)
    doc = _aggregate(f"{TOPIC_PREFIX}{tid}", "topic")
    doc.update(received_at=iso(seen), title=f"主题：{label}", content="。".join(parts) + "。", topic=tid,
               heat=float(size), keywords=keywords)
    return doc
