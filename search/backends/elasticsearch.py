"""The Elasticsearch backend (8.x): versioned indices behind an alias, bulk with retries, core features only.

Query bodies are built by pure functions (``build_search_body``) so they can be checked as dicts;
behaviour is tested against the real server. User text only ever appears as the ``query`` of
``match`` / ``multi_match`` clauses after our own segmentation, never in ``query_string``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from search.access import Principal, visibility
from search.backends.base import (
    CompiledTerm, DeleteReport, IndexReport, QueryCompiler, SearchBackend, SearchUnavailable,
)
from search.documents import iso
from search.highlight import POST, PRE, merge_adjacent
from search.mappings import ADDED_FIELDS, alias_name, demand_template, index_pattern, versioned_name
from search.query import FACET_SIZE, Filters, Hit, SearchQuery, SearchResult, sort_facet
from search.segmentation import QuerySegmenter

TEXT_FIELDS = ["title^2", "content"]
FACET_FIELDS = {"department": "department", "district": "district", "source": "source", "channel": "channel",
                "topic": "topic", "sentiment": "sentiment", "urgency": "urgency", "status": "status",
                "category": "category", "kind": "kind", "dimension": "dimension"}


# --------------------------------------------------------------------------- pure query building
def term_clause(term: CompiledTerm, cjk: bool = False) -> dict[str, Any]:
    """A word matches by its search-mode tokens (all of them) or as a character phrase; a phrase only the latter."""
    should: list[dict[str, Any]] = []
    if term.tokens:
        should.append({"match": {"seg": {"query": " ".join(term.tokens), "operator": "and"}}})
    if term.chars:
        should.append({"multi_match": {"query": " ".join(term.chars), "type": "phrase", "fields": TEXT_FIELDS}})
        if cjk and not term.term.phrase:
            should.append({"multi_match": {"query": term.term.text, "operator": "and",
                                           "fields": ["title.cjk", "content.cjk"]}})
    return should[0] if len(should) == 1 else {"bool": {"should": should, "minimum_should_match": 1}}


def filter_clauses(f: Filters, now: datetime) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"terms": {name: list(values)}} for name, values in f.keyword_items()]
    if f.kind:  # SearchBackend.search always sets it (demands when the query names no kind)
        out.append({"terms": {"kind": list(f.kind)}})
    if f.topic:
        out.append({"terms": {"topic": list(f.topic)}})
    if f.received_from or f.received_to:
        rng: dict[str, str] = {}
        if f.received_from:
            rng["gte"] = iso(f.received_from)
        if f.received_to:
            rng["lt"] = iso(f.received_to)
        out.append({"range": {"received_at": rng}})
    if f.overdue is not None:
        overdue = {"bool": {"filter": [{"term": {"open": True}}, {"range": {"due_at": {"lt": iso(now)}}}]}}
        out.append(overdue if f.overdue else {"bool": {"must_not": [overdue]}})
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        out.append({"geo_bounding_box": {"location": {"top_left": {"lat": max_lat, "lon": min_lon},
                                                      "bottom_right": {"lat": min_lat, "lon": max_lon}}}})
    return out


def access_clauses(principal: Principal) -> list[dict[str, Any]]:
    """``search.access.visibility`` as filters over ``department`` and ``publication`` ([]: the office)."""
    rules = visibility(principal)
    if rules is None:
        return []
    alts = [{"bool": {"filter": [{"terms": {"publication": list(g.levels)}}, *(
        [] if g.departments is None else [{"terms": {"department": list(g.departments)}}])]}} for g in rules]
    return alts if len(alts) == 1 else [{"bool": {"should": alts, "minimum_should_match": 1}}]


def facet_aggs(facets: Iterable[str]) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for name in facets:
        if name == "received_month":
            aggs[name] = {"date_histogram": {"field": "received_at", "calendar_interval": "month",
                                             "time_zone": "+08:00", "format": "yyyy-MM", "min_doc_count": 1}}
        else:
            aggs[name] = {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE}}
    return aggs


def sort_clause(query: SearchQuery, has_text: bool) -> list[Any]:
    tail = [{"received_at": {"order": "desc"}}, {"id": {"order": "asc"}}]
    if query.sort == "heat":
        return [{"heat": {"order": "desc"}}, *tail]
    if query.sort == "relevance" and has_text:
        return ["_score", *tail]
    return tail


def highlight_clause(groups: list[list[CompiledTerm]]) -> dict[str, Any] | None:
    phrases: list[str] = []
    for g in groups:
        for t in g:
            if t.chars:
                phrases.append(" ".join(t.chars))
            for tok in t.tokens:
                from search.segmentation import char_tokens
                chars = char_tokens(tok)
                if chars:
                    phrases.append(" ".join(chars))
    if not phrases:
        return None
    return {
        "encoder": "html", "pre_tags": [PRE], "post_tags": [POST], "require_field_match": False,
        "fields": {"title": {"number_of_fragments": 0}, "content": {"fragment_size": 120, "number_of_fragments": 2}},
        "highlight_query": {"bool": {"should": [
            {"multi_match": {"query": p, "type": "phrase", "fields": ["title", "content"]}}
            for p in dict.fromkeys(phrases)]}},
    }


def build_search_body(query: SearchQuery, principal: Principal, compiler: QueryCompiler, *,
                      alias: str = "", cjk: bool = False) -> dict[str, Any]:
    """The complete ``_search`` body for ``query`` as ``principal`` (access rule included)."""
    groups, excluded = compiler.compile_text(query.text)
    must: list[dict[str, Any]] = [
        {"bool": {"should": [term_clause(t, cjk) for t in g], "minimum_should_match": 1}} for g in groups]
    if query.similar_to is not None:
        must.append({"more_like_this": {"fields": ["seg"], "like": [{"_index": alias, "_id": query.similar_to}],
                                        "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 30,
                                        "minimum_should_match": "20%"}})
    bool_q: dict[str, Any] = {
        "must": must or [{"match_all": {}}],
        "filter": filter_clauses(query.filters, query.clock()) + access_clauses(principal),
    }
    if excluded:
        bool_q["must_not"] = [term_clause(t, cjk) for t in excluded]
    body: dict[str, Any] = {
        "query": {"bool": bool_q},
        "from": query.offset, "size": query.size,
        "sort": sort_clause(query, bool(groups) or query.similar_to is not None),
        "track_total_hits": True,
        "_source": {"excludes": ["seg"]},
    }
    if query.facets:
        body["aggs"] = facet_aggs(query.facets)
    if query.highlight and query.size:
        hl = highlight_clause(groups)
        if hl:
            body["highlight"] = hl
    return body


def parse_facets(aggs: dict[str, Any]) -> dict[str, list[dict]]:
    out = {}
    for name, agg in aggs.items():
        counts = {}
        for b in agg.get("buckets", []):
            key = b.get("key_as_string") if name == "received_month" else b["key"]
            counts[str(key)] = int(b["doc_count"])
        out[name] = sort_facet(counts)
    return out


# --------------------------------------------------------------------------- the backend
class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    unsupported: dict[str, str] = {}

    def __init__(self, client: Any, prefix: str, segmenter: QuerySegmenter, *, max_retries: int = 5,
                 initial_backoff: float = 0.5, max_backoff: float = 8.0, chunk_size: int = 500) -> None:
        super().__init__(segmenter)
        self.client = client
        self.prefix = prefix.lower()
        self.alias = alias_name(self.prefix)
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.chunk_size = chunk_size
        self._caps: dict[str, bool] | None = None
        self._ready = False

    @classmethod
    def from_url(cls, url: str, prefix: str, segmenter: QuerySegmenter, timeout: float = 30.0,
                 **kwargs: Any) -> "ElasticsearchBackend":
        from search.es_client import connect
        return cls(connect(url, timeout=timeout), prefix, segmenter, **kwargs)

    # ------------------------------------------------------------------ plumbing
    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call, turning "cannot reach the cluster" into SearchUnavailable."""
        from elasticsearch import ConnectionError as EsConnectionError
        from elasticsearch import ConnectionTimeout
        from elasticsearch import TransportError
        try:
            return fn(*args, **kwargs)
        except (EsConnectionError, ConnectionTimeout) as exc:
            raise SearchUnavailable(f"Elasticsearch is unreachable: {exc}") from exc
        except TransportError as exc:
            raise SearchUnavailable(f"Elasticsearch transport error: {exc}") from exc

    def capabilities(self) -> dict[str, bool]:
        """Optional server features, probed once: the ``cjk`` analyzer and the ``_reindex`` API."""
        if self._caps is None:
            from elasticsearch import ApiError
            try:
                self._call(self.client.indices.analyze, analyzer="cjk", text="测试")
                cjk = True
            except ApiError:
                cjk = False
            info = self._call(self.client.nodes.info, node_id="_local", metric="modules")
            modules = {m.get("name") for n in info.get("nodes", {}).values() for m in n.get("modules", [])}
            self._caps = {"cjk": cjk, "reindex": "reindex" in modules}
        return self._caps

    def describe(self) -> dict[str, Any]:
        from search.es_client import server_version
        return {"backend": self.name, "alias": self.alias, "version": self._call(server_version, self.client),
                **self.capabilities()}

    def _alias_targets(self) -> list[str]:
        from elasticsearch import NotFoundError
        try:
            return sorted(self._call(self.client.indices.get_alias, name=self.alias).keys())
        except NotFoundError:
            return []

    def _create_index(self) -> str:
        name = versioned_name(self.prefix)
        self._call(self.client.indices.create, index=name)
        self._call(self.client.cluster.health, index=name, wait_for_status="yellow", timeout="30s")
        return name

    def ensure_ready(self) -> bool:
        if self._ready:
            return False
        tmpl = demand_template(self.prefix, cjk=self.capabilities()["cjk"])
        self._call(self.client.indices.put_index_template, name=self.alias, **tmpl)
        created = False
        if not self._alias_targets():
            name = self._create_index()
            self._call(self.client.indices.update_aliases, actions=[{"add": {"index": name, "alias": self.alias}}])
            created = True
        else:  # an index made by an older version: add the fields it lacks (additive, in place)
            self._call(self.client.indices.put_mapping, index=self.alias, properties=ADDED_FIELDS)
        self._ready = True
        return created

    # ------------------------------------------------------------------ writes
    def _actions(self, index: str, docs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for doc in docs:
            yield {"_op_type": "index", "_index": index, "_id": doc["id"], "_source": self.prepare_document(doc)}

    def _bulk(self, index: str, docs: Iterable[dict[str, Any]]) -> IndexReport:
        from elasticsearch import helpers
        report = IndexReport()
        stream = helpers.streaming_bulk(
            self.client, self._actions(index, docs), chunk_size=self.chunk_size, raise_on_error=False,
            max_retries=self.max_retries, initial_backoff=self.initial_backoff, max_backoff=self.max_backoff)
        for ok, item in stream:
            info = next(iter(item.values()))
            if ok:
                report.indexed.append(info["_id"])
            else:
                err = info.get("error")
                report.failed[info.get("_id", "?")] = (err.get("reason") if isinstance(err, dict) else str(err)) or "?"
        return report

    def index_documents(self, docs: Iterable[dict[str, Any]]) -> IndexReport:
        self.ensure_ready()
        return self._guarded(lambda: self._bulk(self.alias, docs))

    def _guarded(self, fn: Any) -> Any:
        from elasticsearch import ConnectionError as EsConnectionError
        from elasticsearch import ConnectionTimeout, TransportError
        try:
            return fn()
        except (EsConnectionError, ConnectionTimeout, TransportError) as exc:
            raise SearchUnavailable(f"Elasticsearch failed during bulk indexing: {exc}") from exc

    def delete_documents(self, ids: Iterable[str]) -> DeleteReport:
        from elasticsearch import helpers
        self.ensure_ready()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        report = DeleteReport()
        for ok, item in self._guarded(lambda: list(helpers.streaming_bulk(
                self.client, actions, raise_on_error=False, max_retries=self.max_retries,
                initial_backoff=self.initial_backoff, max_backoff=self.max_backoff))):
            info = next(iter(item.values()))
            if ok or info.get("status") == 404:  # not found: already gone
                report.removed.append(info["_id"])
            else:
                err = info.get("error")
                report.failed[info.get("_id", "?")] = (err.get("reason") if isinstance(err, dict) else str(err)) or "?"
        return report

    def rebuild(self, docs: Iterator[dict[str, Any]]) -> IndexReport:
        """Fill a new versioned index, then move the alias to it atomically and drop the old ones."""
        self.ensure_ready()
        new = self._create_index()
        try:
            self._call(self.client.indices.put_settings, index=new, settings={"refresh_interval": "-1"})
            report = self._guarded(lambda: self._bulk(new, docs))
            self._call(self.client.indices.put_settings, index=new, settings={"refresh_interval": "1s"})
            self._call(self.client.indices.refresh, index=new)
        except BaseException:
            self._call(self.client.indices.delete, index=new, ignore_unavailable=True)
            raise
        old = self._alias_targets()
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for i in old:
            self._call(self.client.indices.delete, index=i, ignore_unavailable=True)
        return report

    def refresh(self) -> None:
        self._call(self.client.indices.refresh, index=self.alias)

    def count(self) -> int:
        self.ensure_ready()
        return int(self._call(self.client.count, index=self.alias)["count"])

    def drop(self) -> None:
        from elasticsearch import NotFoundError
        names = self._call(self.client.indices.get, index=index_pattern(self.prefix), allow_no_indices=True,
                           ignore_unavailable=True, expand_wildcards="all", filter_path="*.settings.index.provided_name")
        if names:  # the server refuses wildcard deletes (destructive_requires_name), so name each one
            self._call(self.client.indices.delete, index=",".join(sorted(names)), ignore_unavailable=True)
        try:
            self._call(self.client.indices.delete_index_template, name=self.alias)
        except NotFoundError:
            pass
        self._ready = False

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------ reads
    def _get(self, doc_id: str) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError
        self.ensure_ready()
        try:
            resp = self._call(self.client.get, index=self.alias, id=doc_id, source_excludes=["seg"])
        except NotFoundError:
            return None
        return dict(resp["_source"])

    def build_body(self, query: SearchQuery, principal: Principal) -> dict[str, Any]:
        return build_search_body(query, principal, self.compiler, alias=self.alias,
                                 cjk=bool(self._caps and self._caps.get("cjk")))

    def _search(self, query: SearchQuery, principal: Principal) -> SearchResult:
        self.ensure_ready()
        body = self.build_body(query, principal)
        resp = self._call(self.client.search, index=self.alias, body=body)
        hits = []
        for h in resp["hits"]["hits"]:
            hl_map = h.get("highlight", {})
            fragments = [merge_adjacent(f) for f in hl_map.get("title", [])[:1] + hl_map.get("content", [])]
            score = h.get("_score")
            hits.append(Hit(id=h["_id"], score=None if score is None else float(score), fields=dict(h["_source"]),
                            highlight=fragments))
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits,
                            facets=parse_facets(resp.get("aggregations", {})))
