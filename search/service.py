"""The public search API the CLI and the web pages call.

    backend = get_backend(app)                       # configured engine, built once per App
    result = search(app, SearchQuery.create("噪音 扰民", district="鼓楼区"), Principal.petition_office())
    profiles = search(app, SearchQuery.create("噪音", kind="profile", week="2026-W47"), principal)
    view = get_document(app, "hotline:123", Principal.for_department("住房和城乡建设局"))

Access rules are applied inside the backend query (``search``) and against the stored record
(``get_document``); callers pass who is asking, never a pre-filtered query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.access import PERSONAL_FIELDS, Principal, canonical_principal, may_see_profile, project
from search.backends.base import SearchBackend
from search.documents import iso, routed_department
from search.query import SearchQuery, SearchResult
from search.segmentation import QuerySegmenter, default_segmenter

_ATTR = "_suqiu_search_backend"
_SEG_ATTR = "_suqiu_search_segmenter"


def embedded_path(app: Any) -> Path:
    return app.data_dir / "search" / "embedded.db"


def get_segmenter(app: Any) -> QuerySegmenter:
    """One segmenter per App (loading jieba's dictionary takes a second or two)."""
    seg = app.__dict__.get(_SEG_ATTR)
    if seg is None:
        seg = default_segmenter(app.config)
        app.__dict__[_SEG_ATTR] = seg
    return seg


def make_backend(app: Any, kind: str | None = None, segmenter: QuerySegmenter | None = None,
                 index_prefix: str | None = None) -> SearchBackend:
    """A new backend of ``kind`` (default: the configured one) for this installation."""
    kind = kind or app.config.search.backend
    segmenter = segmenter or get_segmenter(app)
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend
        return EmbeddedBackend(embedded_path(app), segmenter)
    if kind == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend
        es = app.config.search.elasticsearch
        return ElasticsearchBackend.from_url(es.url, index_prefix or es.index_prefix, segmenter, timeout=es.timeout_s)
    raise ValueError(f"search.backend: unknown backend '{kind}'")


def get_backend(app: Any) -> SearchBackend:
    """The configured backend, built once per App and reused by every request."""
    backend = app.__dict__.get(_ATTR)
    if backend is None:
        backend = make_backend(app)
        app.__dict__[_ATTR] = backend
    return backend


def search(app: Any, query: SearchQuery, principal: Principal, backend: SearchBackend | None = None) -> SearchResult:
    """Search as ``principal``; a department principal only ever gets its own demands back."""
    principal = canonical_principal(principal, app.config)
    return (backend or get_backend(app)).search(query, principal)


def _masker() -> Any:
    from nlp.pii import PiiMasker
    return PiiMasker()


def get_document(app: Any, record_id: str, principal: Principal) -> dict[str, Any] | None:
    """A record's detail view (masked text, analysis, routing, reply history) or None when the
    record is absent or not visible to ``principal`` (the two are indistinguishable on purpose)."""
    principal = canonical_principal(principal, app.config)
    store = app.store
    record = store.get(record_id)
    if record is None:
        return None
    analysis = store.get_analysis(record_id)
    department = routed_department(record, analysis, app.config)
    if principal.role == "department" and department != principal.department:
        return None
    mask = _masker()
    if analysis is not None and analysis.masked_text is not None:
        title, content, masked_by = analysis.masked_title or "", analysis.masked_text, "analysis"
    else:  # not analysed yet: mask here, the raw text never leaves the store
        title, content, masked_by = mask(record.get("title") or ""), mask(record.get("content") or ""), "pii"
    view: dict[str, Any] = {
        "id": record["id"], "source": record["source"], "channel": record.get("channel") or "",
        "url": record.get("url"), "received_at": iso(record["received_at"]), "title": title, "content": content,
        "masked_by": masked_by, "district": record.get("district"),
        "address": mask(record["address"]) if record.get("address") else None,
        "requester_type": record.get("requester_type"), "category": record.get("category_given"),
        "department_given": record.get("department_given"), "department": department,
        "status": record["status"],
        "reply_text": mask(record["reply_text"]) if record.get("reply_text") else None,
        "replied_at": iso(record.get("replied_at")), "replied_by": record.get("replied_by"),
        "satisfaction": record.get("satisfaction"), "votes_up": record.get("votes_up"),
        "votes_down": record.get("votes_down"), "rating": record.get("rating"),
        "business_name": record.get("business_name"), "version": record.get("version"),
    }
    if analysis is not None:
        view["analysis"] = {
            "keywords": analysis.keywords, "places": analysis.places,
            "sentiment": analysis.sentiment_label.value if analysis.sentiment_label else None,
            "sentiment_score": analysis.sentiment_score,
            "urgency": analysis.urgency_level.value if analysis.urgency_level else None,
            "urgency_reasons": analysis.urgency_reasons, "topic": analysis.topic_id,
            "topic_weight": analysis.topic_weight, "department": analysis.department,
            "route_confidence": analysis.route_confidence, "route_reason": analysis.route_reason,
            "route_candidates": analysis.route_candidates, "dup_group": analysis.dup_group,
        }
    else:
        view["analysis"] = None
    history = []
    for h in store.history(record_id):
        if not principal.sees_personal_fields and h["field"] in PERSONAL_FIELDS:
            continue  # a change of a personal field (a new address, a reply's author) is itself personal
        item = {"at": iso(h["at"]), "field": h["field"], "origin": h["origin"],
                "old_value": mask(h["old_value"]) if h["old_value"] else h["old_value"],
                "new_value": mask(h["new_value"]) if h["new_value"] else h["new_value"]}
        if principal.sees_personal_fields:
            item.update(actor=h.get("actor"), note=mask(h["note"]) if h.get("note") else None)
        history.append(item)
    view["history"] = history
    return project(principal, view)


def list_profiles(app: Any, principal: Principal, dimension: str | None = None,
                  week: str | None = None) -> list[dict[str, Any]]:
    """Stored demand profiles (需求画像) visible to ``principal``; a department gets only its own.

    Read from the store's ``profiles`` table: it holds every figure (the index keeps only what
    search needs) and answers while the search engine is down. To find profiles by text, search
    with ``kind="profile"`` (and ``dimension``/``week`` filters): the index holds them under the
    same department rule, checked in the engine query.
    """
    from sqlalchemy import select

    from suqiu import schema
    principal = canonical_principal(principal, app.config)
    t = schema.profiles
    q = select(t).order_by(t.c.week.desc(), t.c.dimension, t.c.volume.desc(), t.c.value)
    if dimension:
        q = q.where(t.c.dimension == dimension)
    if week:
        q = q.where(t.c.week == week)
    dept = principal.department if principal.role == "department" else None
    if dept is not None:  # the rule goes into the query, then is checked again per row
        known = app.config.department(dept)
        names = [dept, *(known.aliases if known is not None else [])]  # a source may have used an alias
        q = q.where(t.c.dimension == "department", t.c.value.in_(names))
    with app.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return [{"id": r["id"], "dimension": r["dimension"], "value": r["value"], "week": r["week"],
             "volume": r["volume"], "data": r["data"]}
            for r in rows if _may_see_stored_profile(app, principal, r["dimension"], r["value"])]


def _may_see_stored_profile(app: Any, principal: Principal, dimension: str, value: str) -> bool:
    """``may_see_profile`` on a stored profile, whose department may be a source's alias (城管局)."""
    known = app.config.department(value) if dimension == "department" else None
    return may_see_profile(principal, dimension, known.name if known is not None else value)


def get_profile(app: Any, profile_id: str, principal: Principal) -> dict[str, Any] | None:
    """One stored profile (every figure ``nlp.profiles`` computes), or None when absent or not
    visible to ``principal`` (a department sees only its own department's profiles)."""
    from sqlalchemy import select

    from suqiu import schema
    principal = canonical_principal(principal, app.config)
    t = schema.profiles
    with app.store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.id == profile_id)).mappings().first()
    if row is None:
        return None
    value = row["value"]
    if not _may_see_stored_profile(app, principal, row["dimension"], value):
        return None
    data = dict(row["data"]) if isinstance(row["data"], dict) else {}
    return {**data, "id": row["id"], "dimension": row["dimension"], "value": value, "week": row["week"],
            "volume": row["volume"]}


def get_topic(app: Any, topic_id: int, principal: Principal) -> dict[str, Any] | None:
    """One topic with its representative demands' masked headlines, or None when absent or not
    visible: departments see no topics (a topic gathers every department's demands)."""
    from suqiu.topics_stage import list_topics
    principal = canonical_principal(principal, app.config)
    if principal.role == "department":
        return None
    return next((t for t in list_topics(app.store, include_retired=True) if t["id"] == topic_id), None)


__all__ = ["list_profiles", "get_profile", "get_topic", "get_backend", "make_backend", "search", "get_document", "get_segmenter", "embedded_path",
           "PERSONAL_FIELDS", "SearchQuery", "SearchResult", "Principal"]
