"""What of a demand may leave the store: the one policy every output follows.

- A demand's title and text leave only as the analysis stage masked them (``masked_title`` /
  ``masked_text``); a demand not analysed yet leaves without text (``pending_analysis``).
- Free text no stage masks (a department's reply, an address, history values and notes) is masked
  here, with the masker the caller passes (``nlp.pii.PiiMasker``; the core imports no NLP).
- Requester names and contact details never leave. Personal fields (``PERSONAL_FIELDS``) leave
  only to principals who may see them (the office and the owning department), never to the public.
- 分级: who sees a demand at all follows its publication level (``grants``): the office every
  demand; a department its own public and internal ones, never an office-only one; the public and
  clients public ones (a client also the internal ones of its scope). A demand not classified yet
  is the office's only. The public and clients get only ``PUBLIC_FIELDS`` of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from suqiu.model import Analysis
from suqiu.principals import Principal

Masker = Callable[[str], str]

# fields that identify or locate a person
PERSONAL_FIELDS: tuple[str, ...] = ("requester", "address", "requester_type", "replied_by")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
DEPARTMENT_LEVELS: tuple[str, ...] = ("public", "internal")
PUBLIC_LEVELS: tuple[str, ...] = ("public",)
AGGREGATE_LEVEL = "internal"   # profiles and topics: their headlines come from every channel
# what the public (and keyless Open311) gets of a public record; ``classification.public_fields``
# may add the reply (``reply_text``) and the answering ``department``
PUBLIC_FIELDS: tuple[str, ...] = (
    "id", "kind", "source", "channel", "url", "received_at", "updated_at", "title", "content", "text",
    "pending_analysis", "district", "category", "status", "replied_at", "votes_up", "votes_down", "rating",
    "business_name", "sentiment", "sentiment_score", "topic", "heat", "keywords", "has_reply", "dimension", "week",
    "analysis", "history")
PUBLIC_ANALYSIS = ("keywords", "places", "sentiment", "sentiment_score", "topic", "topic_weight")


@dataclass(frozen=True)
class Grant:
    """Demands owned by one of ``departments`` (None: by anyone) at one of ``levels``."""

    departments: tuple[str, ...] | None
    levels: tuple[str, ...]


def grants(principal: Principal) -> tuple[Grant, ...] | None:
    """What ``principal`` may see, as alternatives (None: everything). The store and both search
    backends compile exactly these; ``may_see`` applies them to one demand."""
    if principal.is_office:
        return None
    if principal.role == "department":
        return (Grant((principal.department or "",), DEPARTMENT_LEVELS),)
    scoped = (Grant(principal.scope, DEPARTMENT_LEVELS),) if principal.role == "client" and principal.scope else ()
    return (Grant(None, PUBLIC_LEVELS), *scoped)


def may_see(principal: Principal, publication: str | None, owner: str | None) -> bool:
    """Whether ``principal`` may see a demand at this level owned by ``owner`` (see ``grants``)."""
    rules = grants(principal)
    return rules is None or any(publication in g.levels and (g.departments is None or owner in g.departments)
                                for g in rules)


def headline(masked_title: str | None, masked_text: str | None, limit: int = 60) -> str:
    """A demand's headline from masked text only: its title, else its first sentence."""
    if masked_title:
        return masked_title[:limit]
    if masked_text:
        return _SENTENCE_END.split(masked_text.strip(), maxsplit=1)[0][:limit]
    return ""


def project(principal: Principal, view: dict[str, Any], published: Iterable[str] = ()) -> dict[str, Any]:
    """Drop what the principal may not see: the public and clients keep only ``PUBLIC_FIELDS`` and
    the ``published`` ones, never a personal field; the office and departments keep every field."""
    if principal.sees_personal_fields:
        return view
    keep = {*PUBLIC_FIELDS, *published} - set(PERSONAL_FIELDS)
    return {k: v for k, v in view.items() if k in keep}


def _iso(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


class Disclosure:
    """Turns stored rows into what may be shown; see the module docstring."""

    def __init__(self, masker: Masker, published: Iterable[str] = ()) -> None:
        self.masker = masker
        self.published = tuple(published)   # the configuration's classification.public_fields

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
            "publication": row.get("publication"),
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
        view = project(principal, view, self.published)
        if not principal.sees_personal_fields:  # the public: no routing internals, only status history
            view["analysis"] = view["analysis"] and {k: view["analysis"][k] for k in PUBLIC_ANALYSIS}
            view["history"] = [h for h in view["history"] if h["field"] == "status"]
        return view

    @staticmethod
    def _analysis(a: Analysis) -> dict[str, Any]:
        return {
            "keywords": a.keywords, "places": a.places,
            "sentiment": a.sentiment_label.value if a.sentiment_label else None, "sentiment_score": a.sentiment_score,
            "urgency": a.urgency_level.value if a.urgency_level else None, "urgency_reasons": a.urgency_reasons,
            "topic": a.topic_id, "topic_weight": a.topic_weight, "proposed_department": a.department,
            "route_confidence": a.route_confidence, "route_reason": a.route_reason,
            "route_candidates": a.route_candidates, "dup_group": a.dup_group, "publication": a.publication,
            "sensitivity": a.sensitivity, "level_reasons": a.level_reasons,
        }

    def history_entry(self, h: dict[str, Any], principal: Principal) -> dict[str, Any]:
        """One history entry: values masked; who and why only for those who see personal fields."""
        item = {"at": _iso(h["at"]), "field": h["field"], "origin": h["origin"],
                "old_value": self.mask(h["old_value"]) if h.get("old_value") else h.get("old_value"),
                "new_value": self.mask(h["new_value"]) if h.get("new_value") else h.get("new_value")}
        if principal.sees_personal_fields:
            item.update(actor=h.get("actor"), note=self.mask(h["note"]) if h.get("note") else None)
        return item
