"""Elasticsearch index design: names, the index template, and settings that stay within core.

Only core features are required (keyword, ``text`` with the ``standard`` and ``whitespace``
analyzers, dates, numbers): the integ-test server has no analysis-common, painless, reindex or
mapper-extras modules. The ``cjk`` analyzer is added as a sub-field only when the server has it.

Indices are versioned (``<prefix>-demands-v<timestamp>``) behind an alias (``<prefix>-demands``)
that readers and writers use; a rebuild fills a new version and swaps the alias in one atomic
``_aliases`` call. A template over ``<prefix>-demands-v*`` gives every version the same mapping.

Demands, profiles and topics share the one index (``kind`` tells them apart). Fields added after
an installation's index was created are listed in ``ADDED_FIELDS`` and put into the live index's
mapping (an additive change Elasticsearch accepts in place), so an old index keeps working.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

KEYWORD = {"type": "keyword"}


def alias_name(prefix: str, kind: str = "demands") -> str:
    return f"{prefix}-{kind}"


def index_pattern(prefix: str, kind: str = "demands") -> str:
    return f"{prefix}-{kind}-v*"


def versioned_name(prefix: str, kind: str = "demands", now: datetime | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d%H%M%S%f")
    return f"{prefix}-{kind}-v{stamp}"


# profiles and topics joined the index later, then the levels and demands' points (the bbox
# filter): added to existing indices with put_mapping
ADDED_FIELDS: dict[str, Any] = {"dimension": KEYWORD, "week": KEYWORD, "publication": KEYWORD,
                                "sensitivity": KEYWORD, "location": {"type": "geo_point"}}


def text_field(cjk: bool) -> dict[str, Any]:
    """Chinese text for phrases and recall: ``standard`` = one token per ideograph."""
    field: dict[str, Any] = {"type": "text", "analyzer": "standard"}
    if cjk:
        field["fields"] = {"cjk": {"type": "text", "analyzer": "cjk"}}
    return field


def demand_mappings(cjk: bool = False) -> dict[str, Any]:
    return {
        "dynamic": False,
        "properties": {
            "id": KEYWORD, "kind": KEYWORD, "source": KEYWORD, "channel": KEYWORD,
            "url": {"type": "keyword", "index": False},
            "received_at": {"type": "date"},
            "title": text_field(cjk),
            "content": text_field(cjk),
            # jieba search-mode tokens, lower-cased and space-joined by search.segmentation
            "seg": {"type": "text", "analyzer": "whitespace", "search_analyzer": "whitespace"},
            "district": KEYWORD, "department": KEYWORD, "category": KEYWORD, "status": KEYWORD,
            "sentiment": KEYWORD, "sentiment_score": {"type": "float"}, "urgency": KEYWORD,
            "topic": {"type": "integer"}, "heat": {"type": "float"}, "votes_up": {"type": "integer"},
            "keywords": KEYWORD, "due_at": {"type": "date"}, "open": {"type": "boolean"},
            "has_reply": {"type": "boolean"}, "dup_group": KEYWORD, "business_name": KEYWORD,
            "rating": {"type": "float"}, "version": {"type": "integer"},
            **ADDED_FIELDS,
        },
    }


def demand_settings() -> dict[str, Any]:
    # one shard: the data of one city fits, and BM25 statistics stay exact (stable ranking)
    return {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s",
            "max_result_window": 10_000}


def demand_template(prefix: str, cjk: bool = False) -> dict[str, Any]:
    """Body for ``PUT _index_template/<alias>``."""
    return {
        "index_patterns": [index_pattern(prefix)],
        "priority": 200,
        "template": {"settings": demand_settings(), "mappings": demand_mappings(cjk)},
        "_meta": {"owner": "suqiu", "kind": "demands"},
    }
