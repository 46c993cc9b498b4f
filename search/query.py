"""One engine-independent query model for search over demands, demand profiles and topics.

The petition office types free text: words, "quoted phrases", ``-exclusions`` and ``OR`` between
alternatives (``停水 OR 停电 小区`` means (停水 or 停电) and 小区). The text is parsed here into a
small tree; each backend compiles the tree into its own syntax, so user text never reaches an
engine's query parser (no ``query_string``, no raw FTS5 MATCH text).

Filters, facets, sort, paging and highlighting are plain fields. Errors name the field to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from suqiu.model import SHANGHAI, as_shanghai

SortOrder = Literal["relevance", "time", "heat"]
SORTS: tuple[str, ...] = ("relevance", "time", "heat")

# what one index holds, told apart by the ``kind`` keyword: demands, 需求画像 and topics
KINDS: tuple[str, ...] = ("demand", "profile", "topic")
DEFAULT_KINDS: tuple[str, ...] = ("demand",)  # a query that names no kind searches demands only

# facet name -> indexed field; ``received_month`` is a date histogram by calendar month
FACETS: tuple[str, ...] = (
    "department", "district", "source", "channel", "topic", "sentiment", "urgency", "status",
    "category", "received_month", "kind", "dimension",
)
DEFAULT_FACETS: tuple[str, ...] = ("department", "district", "source", "sentiment", "urgency", "status")
MAX_SIZE = 100
FACET_SIZE = 50  # values per facet, most frequent first
MAX_WINDOW = 10_000  # deepest result reachable by paging (Elasticsearch's max_result_window)
OR_WORDS = frozenset({"OR", "|"})


class QueryError(ValueError):
    """A query cannot run as given; ``field`` names what to fix."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Term:
    """One word (segmented, matched by tokens or as characters) or one quoted phrase (exact)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class TextQuery:
    """Parsed free text: every group must match (a group matches when any of its terms does);
    no excluded term may match."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded

    def positive_terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]


def _lex(text: str) -> list[tuple[str, bool, bool]]:
    """Split into (token, quoted, negated) keeping quoted phrases whole; an unclosed quote runs to the end."""
    out: list[tuple[str, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        negated = False
        if ch in "-－" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
            ch = text[i]
        if ch in "\"“”":
            end = i + 1
            while end < n and text[end] not in "\"“”":
                end += 1
            out.append((text[i + 1:end].strip(), True, negated))
            i = end + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] not in "\"“”":
            end += 1
        out.append((text[i:end], False, negated))
        i = end
    return out


def parse_text(text: str) -> TextQuery:
    """Parse what a person typed; stray operators are ignored rather than raising."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for token, quoted, negated in _lex(text or ""):
        if not quoted and not negated and token in OR_WORDS:
            join_next = bool(groups)
            continue
        if not token:
            continue
        term = Term(token, phrase=quoted)
        if negated:
            excluded.append(term)
            join_next = False
            continue
        if join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return TextQuery(tuple(tuple(dict.fromkeys(g)) for g in groups), tuple(dict.fromkeys(excluded)))


def _tuple(value: str | int | tuple | list | None) -> tuple:
    if value is None or value == "":
        return ()
    if isinstance(value, (tuple, list, set, frozenset)):
        return tuple(v for v in value if v not in (None, ""))
    return (value,)


# the span a date filter can mean: dates beyond it are clamped to it, so ``--to 9999-12-31`` means
# "no upper limit" on both backends instead of overflowing a calendar or an engine's date type
EARLIEST = datetime(1900, 1, 1, tzinfo=SHANGHAI)
LATEST = datetime(2200, 1, 1, tzinfo=SHANGHAI)
# topic ids are small integers; the bound keeps every engine's integer type (ES ``integer``) safe
TOPIC_MIN, TOPIC_MAX = -(2 ** 31), 2 ** 31 - 1


def _clamp_date(value: date | datetime) -> datetime | None:
    """The bound as an aware Shanghai datetime within [EARLIEST, LATEST]; None when not clamped.

    The year is checked before any zone conversion: 0001-01-01T00:00+14:00 cannot be converted."""
    if value.year < EARLIEST.year:
        return EARLIEST
    if value.year >= LATEST.year:
        return LATEST
    return None


def date_bound(value: str | date | datetime | None, end: bool = False, field: str = "date") -> datetime | None:
    """A lower (``end=False``) or exclusive upper bound in Shanghai time, clamped to [EARLIEST, LATEST].

    A bare date as an upper bound includes that whole day (``--to 2024-05-31`` keeps the 31st).
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = date.fromisoformat(raw) if len(raw) <= 10 else datetime.fromisoformat(raw)
        except ValueError:
            raise QueryError(field, f"'{raw}' is not a date (YYYY-MM-DD) or ISO datetime") from None
    clamped = _clamp_date(value)
    if clamped is not None:
        return clamped
    if isinstance(value, datetime):
        return min(max(as_shanghai(value), EARLIEST), LATEST)
    start = datetime.combine(value, time.min, tzinfo=SHANGHAI)
    return start + timedelta(days=1) if end else start


def parse_bbox(value: str | tuple | list | None) -> tuple[float, float, float, float] | None:
    """A bounding box from four numbers (or "min_lon,min_lat,max_lon,max_lat"); QueryError naming ``bbox``."""
    if value is None or value == "" or value == ():
        return None
    parts = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
    try:
        box = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        raise QueryError("bbox", f"'{value}' is not four numbers: min_lon,min_lat,max_lon,max_lat") from None
    if len(box) != 4:
        raise QueryError("bbox", f"needs four numbers (min_lon,min_lat,max_lon,max_lat), got {len(box)}")
    min_lon, min_lat, max_lon, max_lat = box
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise QueryError("bbox", "must be min_lon ≤ max_lon within ±180 and min_lat ≤ max_lat within ±90")
    return box  # type: ignore[return-value]


@dataclass(frozen=True)
class Filters:
    """Every filter is any-of within one field and all-of across fields; empty means no filter."""

    department: tuple[str, ...] = ()
    district: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    topic: tuple[int, ...] = ()
    sentiment: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    received_from: datetime | None = None   # inclusive
    received_to: datetime | None = None     # exclusive
    overdue: bool | None = None             # True: open and past its time limit; False: not overdue
    kind: tuple[str, ...] = ()              # empty: demands only (the backend applies DEFAULT_KINDS)
    dimension: tuple[str, ...] = ()         # profiles: district, channel, department, …
    week: tuple[str, ...] = ()              # profiles: ISO week such as 2026-W47
    # demands located inside (min_lon, min_lat, max_lon, max_lat), WGS-84: their source's point, else
    # the finest place in their text with configured coordinates (``search.documents``)
    bbox: tuple[float, float, float, float] | None = None

    # compiled the same way by every backend; ``kind`` is compiled on its own (always present)
    KEYWORD_FIELDS = ("department", "district", "source", "channel", "sentiment", "urgency", "status",
                      "category", "dimension", "week")

    @classmethod
    def build(cls, *, department=None, district=None, source=None, channel=None, topic=None,
              sentiment=None, urgency=None, status=None, category=None,
              date_from: str | date | datetime | None = None, date_to: str | date | datetime | None = None,
              overdue: bool | None = None, kind=None, dimension=None, week=None, bbox=None) -> "Filters":
        """Accept single values or lists, date strings; a bare ``date_to`` date is inclusive."""
        kinds = tuple(dict.fromkeys(map(str, _tuple(kind))))  # checked by SearchQuery.validate
        topics: list[int] = []
        for t in _tuple(topic):
            try:
                topics.append(int(t))
            except (TypeError, ValueError):
                raise QueryError("topic", f"'{t}' is not a topic id (an integer)") from None
            if not TOPIC_MIN <= topics[-1] <= TOPIC_MAX:
                raise QueryError("topic", f"'{t}' is out of range for a topic id")
        return cls(
            department=tuple(map(str, _tuple(department))), district=tuple(map(str, _tuple(district))),
            source=tuple(map(str, _tuple(source))), channel=tuple(map(str, _tuple(channel))),
            topic=tuple(topics), sentiment=tuple(map(str, _tuple(sentiment))),
            urgency=tuple(map(str, _tuple(urgency))), status=tuple(map(str, _tuple(status))),
            category=tuple(map(str, _tuple(category))),
            received_from=date_bound(date_from, field="date_from"),
            received_to=date_bound(date_to, end=True, field="date_to"),
            overdue=overdue, kind=kinds, dimension=tuple(map(str, _tuple(dimension))),
            week=tuple(str(w).strip().upper() for w in _tuple(week)), bbox=parse_bbox(bbox),
        )

    def keyword_items(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(name, getattr(self, name)) for name in self.KEYWORD_FIELDS if getattr(self, name)]


@dataclass(frozen=True)
class SearchQuery:
    """Everything one search asks for. Build with ``SearchQuery.create(text=..., ...)``."""

    text: TextQuery = field(default_factory=TextQuery)
    raw_text: str = ""
    filters: Filters = field(default_factory=Filters)
    facets: tuple[str, ...] = DEFAULT_FACETS
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    highlight: bool = True
    similar_to: str | None = None   # a record id: "more like this" (Elasticsearch only)
    now: datetime | None = None     # the clock the overdue filter compares against; default: now

    @classmethod
    def create(cls, text: str = "", *, filters: Filters | None = None, facets: tuple[str, ...] | list[str] | None = None,
               sort: str = "relevance", page: int = 1, size: int = 10, highlight: bool = True,
               similar_to: str | None = None, now: datetime | None = None, **filter_kwargs) -> "SearchQuery":
        if filters is not None and filter_kwargs:
            raise QueryError("filters", "give either filters= or filter keywords, not both")
        q = cls(text=parse_text(text), raw_text=text or "",
                filters=filters if filters is not None else Filters.build(**filter_kwargs),
                facets=DEFAULT_FACETS if facets is None else tuple(facets), sort=sort, page=page, size=size,
                highlight=highlight, similar_to=similar_to, now=now)
        q.validate()
        return q

    def validate(self) -> None:
        if self.sort not in SORTS:
            raise QueryError("sort", f"'{self.sort}' is not one of {', '.join(SORTS)}")
        for name in self.facets:
            if name not in FACETS:
                raise QueryError("facets", f"'{name}' is not a facet; choose from {', '.join(FACETS)}")
        if not isinstance(self.page, int) or self.page < 1:
            raise QueryError("page", "must be an integer ≥ 1")
        if not isinstance(self.size, int) or not 0 <= self.size <= MAX_SIZE:
            raise QueryError("size", f"must be an integer between 0 and {MAX_SIZE}")
        if self.offset + self.size > MAX_WINDOW:
            raise QueryError("page", f"results beyond the first {MAX_WINDOW} cannot be paged to; narrow the filters")
        f = self.filters
        for k in f.kind:
            if k not in KINDS:
                raise QueryError("kind", f"'{k}' is not one of {', '.join(KINDS)}")
        if f.received_from and f.received_to and f.received_from >= f.received_to:
            raise QueryError("date_to", "must not be before date_from")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def clock(self) -> datetime:
        return as_shanghai(self.now) if self.now else datetime.now(SHANGHAI)

    def with_default_kind(self) -> "SearchQuery":
        """This query with ``kind`` set: a query naming no kind searches demands only, so profiles
        and topics never show up in a demand search by accident."""
        if self.filters.kind:
            return self
        return replace(self, filters=replace(self.filters, kind=DEFAULT_KINDS))

    def with_page(self, page: int) -> "SearchQuery":
        q = replace(self, page=page)
        q.validate()
        return q


@dataclass
class Hit:
    """One result: the indexed (masked) document fields, its score and HTML-safe highlight fragments."""

    id: str
    score: float | None
    fields: dict
    highlight: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "score": self.score, **self.fields, "highlight": self.highlight}


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict]]   # facet -> [{"value": str, "count": int}], by count desc then value
    page: int = 1
    size: int = 10
    backend: str = ""

    def as_dict(self) -> dict:
        return {"total": self.total, "hits": [h.as_dict() for h in self.hits], "facets": self.facets,
                "page": self.page, "size": self.size, "backend": self.backend}


def sort_facet(counts: dict[str, int], limit: int = FACET_SIZE) -> list[dict]:
    ranked = sorted(((k, v) for k, v in counts.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    return [{"value": k, "count": v} for k, v in ranked[:limit]]
