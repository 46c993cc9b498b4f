"""What of a demand may leave the store: the one policy every output follows.

- A demand's title and text leave only as the analysis stage masked them (``masked_title`` /
  ``masked_text``); a demand not analysed yet leaves without text (``pending_analysis``).
- Free text no stage masks (a department's reply, an address, history values and notes) is masked
  here, with the masker the caller passes (``nlp.pii.PiiMasker``; the core imports no NLP).
- Requester names and contact details never leave. Personal fields (``PERSONAL_FIELDS``) leave
  only to principals who may see them (the office and the owning department), never to the public.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from suqiu.model import Analysis
from suqiu.principals import Principal

Masker = Callable[[str], str]

# fields that identify or locate a person
PERSONAL_FIELDS: tuple[str, ...] = ("requester", "address", "requester_type", "replied_by")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def headline(masked_title: str | None, masked_text: str | None, limit: int = 60) -> str:
    """A demand's headline from masked text only: its title, else its first sentence."""
    if masked_title:
        return masked_title[:limit]
    if masked_text:
        return _SENTENCE_END.split(masked_text.strip(), maxsplit=1)[0][:limit]
    return ""


def project(principal: Principal, view: dict[str, Any]) -> dict[str, Any]:
    """Drop what the principal may not see from a view."""
    if principal.sees_personal_fields:
        return view
    return {k: v for k, v in view.items() if k not in PERSONAL_FIELDS}


def _iso(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


class Disclosure:
    """Turns stored rows into what may be shown; see the module docstring."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker

    def mask(self, text: str | None) -> str | None:
        return None if text is None else self.masker(text)

    def listing(self, row: dict[str, Any], due_at: datetime | None) -> dict[str, Any]:
        """One demand in an API or Open311 listing (a ``Store.demand_rows`` row)."""
        return {
            "id": row["id"], "source": row["source"], "channel": row["channel"],
            "received_at": row["received_at"], "updated_at": row["updated_at"],
            "district": row["district"], "address": self.mask(row.get("address")),
            "category": row.get("category_given"), "department": row.get("owner"), "status": row["status"],
            "title": row.get("masked_title") or "", "text": row.get("masked_text") or "",
            "pending_analysis": row.get("masked_text") is None, "urgency": row.get("urgency_level"),
            "reply_text": self.mask(row.get("reply_text")), "replied_at": row.get("replied_at"),
            "replied_by": row.get("replied_by"), "satisfaction": row.get("satisfaction"), "due_at": due_at,
            "lat": row.get("lat"), "lon": row.get("lon"),
        }

    def detail(self, record: dict[str, Any], analysis: Analysis | None, owner: str | None,
               history: Iterable[dict[str, Any]], principal: Principal) -> dict[str, Any]:
        """A demand's detail page: masked text, analysis, routing and reply history."""
        text = analysis.masked_text if analysis is not None else None
        view: dict[str, Any] = {
            "id": record["id"], "source": record["source"], "channel": record.get("channel") or "",
            "url": record.get("url"), "received_at": _iso(record["received_at"]),
            "title": (analysis.masked_title or "") if text is not None and analysis else "", "content": text or "",
            "pending_analysis": text is None, "district": record.get("district"),
            "address": self.mask(record.get("address")), "requester_type": record.get("requester_type"),
            "category": record.get("category_given"), "department_given": record.get("department_given"),
            "department": owner, "status": record["status"], "reply_text": self.mask(record.get("reply_text")),
            "replied_at": _iso(record.get("replied_at")), "replied_by": record.get("replied_by"),
            "satisfaction": record.get("satisfaction"), "votes_up": record.get("votes_up"),
            "votes_down": record.get("votes_down"), "rating": record.get("rating"),
            "business_name": record.get("business_name"), "version": record.get("version"),
            "analysis": None if analysis is None else self._analysis(analysis),
            "history": [self.history_entry(h, principal) for h in history
                        if principal.sees_personal_fields or h["field"] not in PERSONAL_FIELDS],
        }
        return project(principal, view)

    @staticmethod
    def _analysis(a: Analysis) -> dict[str, Any]:
        return {
            "keywords": a.keywords, "places": a.places,
            "sentiment": a.sentiment_label.value if a.sentiment_label else None, "sentiment_score": a.sentiment_score,
            "urgency": a.urgency_level.value if a.urgency_level else None, "urgency_reasons": a.urgency_reasons,
            "topic": a.topic_id, "topic_weight": a.topic_weight, "proposed_department": a.department,
            "route_confidence": a.route_confidence, "route_reason": a.route_reason,
            "route_candidates": a.route_candidates, "dup_group": a.dup_group,
        }

    def history_entry(self, h: dict[str, Any], principal: Principal) -> dict[str, Any]:
        """One history entry: values masked; who and why only for those who see personal fields."""
        item = {"at": _iso(h["at"]), "field": h["field"], "origin": h["origin"],
                "old_value": self.mask(h["old_value"]) if h.get("old_value") else h.get("old_value"),
                "new_value": self.mask(h["new_value"]) if h.get("new_value") else h.get("new_value")}
        if principal.sees_personal_fields:
            item.update(actor=h.get("actor"), note=self.mask(h["note"]) if h.get("note") else None)
        return item
