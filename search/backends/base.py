"""The contract every search backend keeps, and the compiler base class that holds the shared checks.

A backend fills in a few hooks (``_search``, ``_index``, …); validation, access rules and result
shaping live here once, so both engines answer the same query the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from search.access import Principal, may_see, project, public_query
from search.documents import HIT_FIELDS
from search.query import SearchQuery, SearchResult, Term, TextQuery
from search.segmentation import QuerySegmenter, char_tokens


class SearchUnavailable(RuntimeError):
    """The search engine cannot be reached or refused the work; nothing was lost, retry later."""


class UnsupportedFeature(NotImplementedError):
    """This backend cannot do what the query asks; ``feature`` names it (an explicit difference)."""

    def __init__(self, backend: str, feature: str, reason: str) -> None:
        super().__init__(f"{backend} backend does not support {feature}: {reason}")
        self.backend = backend
        self.feature = feature
        self.reason = reason


@dataclass
class IndexReport:
    """What a batch of writes did: ids stored, ids that failed with their reasons."""

    indexed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class DeleteReport:
    """What a batch of deletes did: ids now absent (deleted, or already missing), ids that failed."""

    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CompiledTerm:
    """A term ready for an engine: its search-mode tokens and its standard-analyzer characters."""

    term: Term
    tokens: tuple[str, ...]
    chars: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return bool(self.tokens or self.chars)


class QueryCompiler:
    """Shared preparation of the text part: segment every term the way documents were segmented."""

    def __init__(self, segmenter: QuerySegmenter) -> None:
        self.segmenter = segmenter

    def compile_term(self, term: Term) -> CompiledTerm:
        tokens = () if term.phrase else tuple(dict.fromkeys(self.segmenter.search_tokens(term.text)))
        return CompiledTerm(term, tokens, tuple(char_tokens(term.text)))

    def compile_text(self, text: TextQuery) -> tuple[list[list[CompiledTerm]], list[CompiledTerm]]:
        """Groups (all must match; any term of a group) and exclusions, dropping terms with no letters."""
        groups = []
        for g in text.groups:
            terms = [c for c in (self.compile_term(t) for t in g) if c.usable]
            if terms:
                groups.append(terms)
        excluded = [c for c in (self.compile_term(t) for t in text.excluded) if c.usable]
        return groups, excluded

    @staticmethod
    def highlight_needles(groups: list[list[CompiledTerm]]) -> list[str]:
        needles: list[str] = []
        for g in groups:
            for c in g:
                needles.append(c.term.text)
                needles.extend(c.tokens)
        return needles


class SearchBackend(ABC):
    """One search engine holding the documents of one installation: demands, profiles and topics
    in one index, told apart by ``kind``."""

    name: str = "base"
    #: fields the public sees beyond ``PUBLIC_FIELDS`` (``classification.public_fields``; ``make_backend``)
    published: tuple[str, ...] = ()
    #: features this backend lacks, by name -> reason (the contract suite expects these to raise)
    unsupported: dict[str, str] = {}

    def __init__(self, segmenter: QuerySegmenter) -> None:
        self.segmenter = segmenter
        self.compiler = QueryCompiler(segmenter)

    # ------------------------------------------------------------------ public contract
    def search(self, query: SearchQuery, principal: Principal) -> SearchResult:
        """Run ``query`` as ``principal``; the access rule is part of the engine query itself.

        A query naming no ``kind`` searches demands only (``DEFAULT_KINDS``)."""
        query.validate()
        query = query.with_default_kind()
        if not principal.sees_personal_fields:  # the public: its fields only, in filters and facets too
            query = public_query(query, self.published)
        if query.similar_to is not None:
            self.require("more_like_this")
        result = self._search(query, principal)
        for hit in result.hits:
            hit.fields = project(principal, {k: hit.fields.get(k) for k in HIT_FIELDS}, self.published)
        result.backend = self.name
        result.page, result.size = query.page, query.size
        return result

    def get(self, doc_id: str, principal: Principal) -> dict[str, Any] | None:
        """The indexed document by id, or None when absent or not visible to ``principal``."""
        doc = self._get(doc_id)
        if doc is None or not may_see(principal, doc):
            return None
        return project(principal, {k: doc.get(k) for k in ("id", *HIT_FIELDS)}, self.published)

    def require(self, feature: str) -> None:
        if feature in self.unsupported:
            raise UnsupportedFeature(self.name, feature, self.unsupported[feature])

    def prepare_document(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Add the pre-segmented text both engines search (``seg``); a document that already
        carries ``seg`` (segmented once for several backends, as the benchmark does) keeps it."""
        if "seg" in doc:
            return doc
        from search.documents import searchable_text
        from search.segmentation import segment_text
        return {**doc, "seg": segment_text(self.segmenter, searchable_text(doc))}

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def ensure_ready(self) -> bool:
        """Create the index (or tables) when missing, returning True if it had to; raise
        SearchUnavailable when the engine cannot be reached."""

    @abstractmethod
    def index_documents(self, docs: Iterable[dict[str, Any]]) -> IndexReport:
        """Add or replace documents (by ``id``) in the live index."""

    @abstractmethod
    def delete_documents(self, ids: Iterable[str]) -> DeleteReport:
        """Remove documents; ids not present count as removed (they are gone either way)."""

    @abstractmethod
    def rebuild(self, docs: Iterator[dict[str, Any]]) -> IndexReport:
        """Build a fresh index from ``docs`` and swap it in atomically; searches never see it half-built."""

    @abstractmethod
    def refresh(self) -> None:
        """Make every write so far visible to searches."""

    @abstractmethod
    def count(self) -> int:
        """Documents in the live index."""

    @abstractmethod
    def drop(self) -> None:
        """Remove this installation's indices (tests and uninstall)."""

    @abstractmethod
    def _search(self, query: SearchQuery, principal: Principal) -> SearchResult: ...

    @abstractmethod
    def _get(self, doc_id: str) -> dict[str, Any] | None: ...

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name}

    def close(self) -> None:
        pass
