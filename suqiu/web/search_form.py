"""The search page's query string: parsed once, rebuilt for every facet, pager and export link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from suqiu.web.present import FACET, SORT

FILTER_PARAMS = ("department", "district", "source", "channel", "topic", "sentiment", "urgency", "status",
                 "dimension", "week", "dup_group")
# the filters that mean something for each kind of document (a demand's status is no profile's)
KIND_FILTERS = {
    "demand": ("department", "district", "source", "channel", "topic", "sentiment", "urgency", "status",
               "dup_group"),
    "profile": ("dimension", "week", "department", "district", "channel", "topic"),
    "topic": ("topic",),
}
PAGE_SIZES = (10, 20, 50)
QUERY_FIELD_LABELS = {"date_from": "起始日期", "date_to": "截止日期", "topic": "主题", "page": "页码",
                      "size": "每页条数", "sort": "排序", "facets": "分面"}


@dataclass
class SearchForm:
    """The search page's query string, kept as typed so links can rebuild it."""

    q: str = ""
    kind: str = "demand"   # demand (需求), profile (需求画像) or topic (主题)
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    overdue: str = ""
    sort: str = "relevance"
    page: int = 1
    size: int = 10

    @classmethod
    def from_request(cls, request: Request) -> "SearchForm":
        params = request.query_params
        kind = params.get("kind", "demand")
        kind = kind if kind in KIND_FILTERS else "demand"
        filters = {name: [v for v in params.getlist(name) if v][:20] for name in KIND_FILTERS[kind]}
        sort = params.get("sort", "relevance")
        size = _int(params.get("size"), 10, 1, 100)
        overdue = params.get("overdue", "") if kind == "demand" and params.get("overdue") in ("1", "0") else ""
        return cls(q=params.get("q", "")[:500], kind=kind, filters={k: v for k, v in filters.items() if v},
                   date_from=params.get("from", "")[:40], date_to=params.get("to", "")[:40], overdue=overdue,
                   sort=sort if sort in SORT else "relevance", page=_int(params.get("page"), 1, 1, 10_000),
                   size=size if size in PAGE_SIZES else 10)

    def pairs(self, **override: Any) -> list[tuple[str, str]]:
        """Query-string pairs of this form, with overrides (None removes a key)."""
        data: dict[str, Any] = {"q": self.q, "kind": self.kind, **self.filters, "from": self.date_from, "to": self.date_to,
                                "overdue": self.overdue, "sort": self.sort, "size": self.size, "page": self.page}
        data.update(override)
        out: list[tuple[str, str]] = []
        for key, value in data.items():
            if value is None or value == "" or value == []:
                continue
            if (key == "sort" and value == "relevance" or key == "size" and value == 10 or key == "page" and value == 1
                    or key == "kind" and value == "demand"):
                continue
            for v in (value if isinstance(value, list) else [value]):
                out.append((key, str(v)))
        return out

    def url(self, path: str = "/search", **override: Any) -> str:
        qs = urlencode(self.pairs(**override))
        return f"{path}?{qs}" if qs else path

    def toggle(self, facet: str, value: str) -> str:
        """The link a facet value points at: add the filter, or remove it when it is active."""
        current = list(self.filters.get(facet, []))
        current = [v for v in current if v != value] if value in current else [*current, value]
        return self.url(**{facet: current, "page": None})

    def clear_url(self) -> str:
        """The same text search without any facet filter."""
        return self.url(**{name: None for name in self.filters}, page=None)

    def active(self, facet: str, value: Any) -> bool:
        return str(value) in self.filters.get(facet, [])

    @property
    def folds(self) -> bool:
        """Demand searches fold near-duplicates, except when one group is being opened."""
        return self.kind == "demand" and not self.filters.get("dup_group")

    def group_url(self, group: str) -> str:
        """The same search restricted to one near-duplicate group, every member listed (同类诉求)."""
        return self.url(dup_group=[group], page=None)

    def to_query(self, page: int | None = None, size: int | None = None, facets: tuple[str, ...] | None = None,
                 highlight: bool = True, fold: bool | None = None) -> Any:
        from search.query import SearchQuery
        overdue = {"1": True, "0": False}.get(self.overdue)
        return SearchQuery.create(
            self.q, sort=self.sort, page=page or self.page, size=size or self.size, highlight=highlight,
            facets=self.facets if facets is None else facets, kind=self.kind,
            date_from=self.date_from or None, date_to=self.date_to or None, overdue=overdue,
            fold_duplicates=self.folds if fold is None else fold, **{k: v for k, v in self.filters.items()})


    @property
    def facets(self) -> tuple[str, ...]:
        return KIND_FACETS[self.kind]


PAGE_FACETS = ("department", "district", "source", "channel", "topic", "sentiment", "urgency", "status")
KIND_FACETS = {"demand": PAGE_FACETS, "profile": ("dimension", "department", "district", "channel"), "topic": ()}


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return min(max(value, low), high)


def query_error_message(exc: Exception) -> str:
    field_name = getattr(exc, "field", "")
    label_text = QUERY_FIELD_LABELS.get(field_name) or FACET.get(field_name, "检索条件")
    if field_name in ("date_from", "date_to"):
        return f"{label_text}格式不正确（应为 YYYY-MM-DD），或截止日期早于起始日期。"
    if field_name == "page":
        return "页码超出可浏览范围，请缩小检索条件。"
    return f"{label_text}不正确，请检查后重试。"
