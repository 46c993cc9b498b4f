"""The public search API the CLI and the web pages call.

    backend = get_backend(app)                       # configured engine, built once per installation
    result = search(app, SearchQuery.create("噪音 扰民", district="鼓楼区"), Principal.office())
    profiles = search(app, SearchQuery.create("噪音", kind="profile", week="2026-W47"), principal)
    view = get_document(app, "hotline:123", Principal.for_department("住房和城乡建设局"))

Access rules are applied inside the backend query (``search``) and against the store's owner of
the record (``get_document``); callers pass who is asking, never a pre-filtered query. A department's
hits are checked once more against the store's owner, so a reassignment the index has not seen
yet never shows a demand to its old department.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from nlp.normalize import plain_text
from nlp.pii import PiiMasker
from nlp.stages.topics import list_topics
from search.access import PERSONAL_FIELDS, Principal, canonical_principal, may_see_aggregate, may_see_profile
from search.backends.base import SearchBackend
from search.query import SearchQuery, SearchResult
from search.segmentation import QuerySegmenter, default_segmenter
from suqiu.disclosure import Disclosure
from suqiu.labels import topic_name
from suqiu.ownership import may_read

_ATTR = "_suqiu_search_backend"
_SEG_ATTR = "_suqiu_search_segmenter"


def embedded_path(app: Any) -> Path:
    return app.data_dir / "search" / "embedded.db"


def get_segmenter(app: Any) -> QuerySegmenter:
    """One segmenter per installation (loading jieba's dictionary takes a second or two)."""
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
    backend: SearchBackend
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend
        backend = EmbeddedBackend(embedded_path(app), segmenter)
    elif kind == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend
        es = app.config.search.elasticsearch
        backend = ElasticsearchBackend.from_url(es.url, index_prefix or es.index_prefix, segmenter,
                                                timeout=es.timeout_s, shards=es.shards, replicas=es.replicas)
    else:
        raise ValueError(f"search.backend: unknown backend '{kind}'")
    backend.published = tuple(app.config.classification.public_fields)  # what the public sees beyond the fixed
    return backend


def get_backend(app: Any) -> SearchBackend:
    """The configured backend, built once per installation and reused by every request."""
    backend = app.__dict__.get(_ATTR)
    if backend is None:
        backend = make_backend(app)
        app.__dict__[_ATTR] = backend
    return backend


def search(app: Any, query: SearchQuery, principal: Principal, backend: SearchBackend | None = None) -> SearchResult:
    """Search as ``principal``; a department principal only ever gets demands it owns back.

    Topics are shown by name: every hit carries ``topic_label`` and every bucket of the topic
    facet a ``label`` (其他 for outliers, never -1; ``suqiu.labels.topic_name``)."""
    principal = canonical_principal(principal, app.config)
    result = name_topics(app, (backend or get_backend(app)).search(query, principal))
    dept = principal.required_department
    demand_ids = [h.id for h in result.hits if h.fields.get("kind", "demand") == "demand"]
    if dept is None or not demand_ids:
        return result
    owners = app.store.owners_of(app.config, demand_ids)
    kept = [h for h in result.hits if h.fields.get("kind", "demand") != "demand" or owners.get(h.id) == dept]
    dropped = len(result.hits) - len(kept)
    return replace(result, hits=kept, total=result.total - dropped,
                   groups=None if result.groups is None else result.groups - dropped)


def name_topics(app: Any, result: SearchResult) -> SearchResult:
    """Topic names on the hits and the topic facet, read from the store's ``topics`` table."""
    if not result.hits and not result.facets.get("topic"):
        return result
    names = app.store.topic_labels()
    for hit in result.hits:
        if hit.fields.get("topic") is not None:
            hit.fields["topic_label"] = topic_name(hit.fields["topic"], names)
    if "topic" in result.facets:
        result.facets["topic"] = [{**b, "label": topic_name(b["value"], names)} for b in result.facets["topic"]]
    return result


def get_document(app: Any, record_id: str, principal: Principal) -> dict[str, Any] | None:
    """A record's detail view (masked text, analysis, routing and reply history) or None when the
    record is absent or not visible to ``principal`` (the two are indistinguishable on purpose)."""
    principal = canonical_principal(principal, app.config)
    store = app.store
    record = store.get(record_id)
    if record is None:
        return None
    owner, analysis = store.owner_of(app.config, record_id), store.get_analysis(record_id)
    co_handlers = [c["department"] for c in store.co_handlers_of(record_id)] if principal.role == "department" else []
    if not may_read(principal, analysis.publication if analysis else None, owner, co_handlers):
        return None
    masker = PiiMasker()  # markup stripped first: a number split by tags is masked whole
    policy = Disclosure(lambda text: masker(plain_text(text)), app.config.classification.public_fields,
                        store.topic_labels())
    return policy.detail(record, analysis, owner, store.history(record_id), principal)


def list_profiles(app: Any, principal: Principal, dimension: str | None = None,
                  week: str | None = None) -> list[dict[str, Any]]:
    """Stored demand profiles (需求画像) visible to ``principal``; a department gets only its own.

    Read from the store: it holds every figure (the index keeps only what search needs) and
    answers while the search engine is down. To find profiles by text, search with
    ``kind="profile"``: the index holds them under the same department rule.
    """
    principal = canonical_principal(principal, app.config)
    dept = principal.required_department
    values = None
    if dept is not None:  # the rule goes into the query, then is checked again per row
        if dimension not in (None, "department"):
            return []
        known = app.config.department(dept)
        values = [dept, *(known.aliases if known is not None else [])]  # a source may have used an alias
        dimension = "department"
    rows = app.store.profile_rows(dimension, week, values)
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
    principal = canonical_principal(principal, app.config)
    row = app.store.profile_row(profile_id)
    if row is None or not _may_see_stored_profile(app, principal, row["dimension"], row["value"]):
        return None
    data = dict(row["data"]) if isinstance(row["data"], dict) else {}
    return {**data, "id": row["id"], "dimension": row["dimension"], "value": row["value"], "week": row["week"],
            "volume": row["volume"]}


def get_topic(app: Any, topic_id: int, principal: Principal) -> dict[str, Any] | None:
    """One topic with its representative demands' masked headlines, or None when absent or not
    visible: only the office sees topics (a topic gathers every department's demands from every channel)."""
    principal = canonical_principal(principal, app.config)
    if not may_see_aggregate(principal):
        return None
    return next((t for t in list_topics(app.store, include_retired=True) if t["id"] == topic_id), None)


__all__ = ["list_profiles", "get_profile", "get_topic", "get_backend", "make_backend", "search", "get_document",
           "get_segmenter", "embedded_path", "PERSONAL_FIELDS", "SearchQuery", "SearchResult", "Principal"]
