"""What one demand looks like in the search index: masked text and the fields people filter on.

Pure: takes the stored record and its analysis, returns a plain dict both backends index. Only the
PII-masked title and text go in (``analysis.masked_title`` / ``masked_text``); a record that has no
masked text yet is not indexable (``None``), so raw content can never reach an index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suqiu.model import Analysis, as_shanghai

OPEN_STATUSES = ("received", "routed", "reopened")
URGENT_LEVELS = ("high", "critical")

# fields returned with every hit (the indexed document minus the segmented text)
HIT_FIELDS: tuple[str, ...] = (
    "kind", "source", "channel", "url", "received_at", "title", "content", "district", "department",
    "category", "status", "sentiment", "sentiment_score", "urgency", "topic", "heat", "votes_up",
    "keywords", "due_at", "open", "has_reply", "dup_group", "business_name", "rating",
)


def iso(value: datetime | None) -> str | None:
    return None if value is None else as_shanghai(value).isoformat(timespec="seconds")


def routed_department(record: dict[str, Any], analysis: Analysis | None, config: Any | None = None) -> str | None:
    """The department a demand is routed to: the pipeline's routing, else the source's own, by canonical name."""
    name = (analysis.department if analysis and analysis.department else None) or record.get("department_given")
    if name and config is not None:
        dept = config.department(name)
        if dept is not None:
            return dept.name
    return name or None


def heat(record: dict[str, Any], dup_size: int = 1) -> float:
    """How much attention a demand draws: votes plus the near-duplicates that repeat it."""
    return float((record.get("votes_up") or 0) + max(dup_size - 1, 0))


def demand_document(record: dict[str, Any], analysis: Analysis | None, *, config: Any | None = None,
                    dup_size: int = 1) -> dict[str, Any] | None:
    """The indexable document for one record, or None while it has no masked text."""
    if analysis is None or analysis.masked_text is None:
        return None
    department = routed_department(record, analysis, config)
    urgent = analysis.urgency_level is not None and analysis.urgency_level.value in URGENT_LEVELS
    due_at = None
    if config is not None:
        from suqiu.tracking import time_limit
        due_at = as_shanghai(record["received_at"]) + time_limit(config, department, record.get("category_given"),
                                                                 urgent=urgent)
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
    }


def searchable_text(doc: dict[str, Any]) -> str:
    title = doc.get("title") or ""
    content = doc.get("content") or ""
    return f"{title}\n{content}" if title else content
