"""One demand as the views stage reads it, in about a quarter of a dict's memory.

The views (profiles, hotspots, warnings, forecasts) read the whole history at once, and a
million demands as dicts hold about 3.5 GB. A ``ViewRecord`` is a read-only mapping over slots:
no per-record hash table, and the values that repeat across demands (district, channel,
department, status, labels, keywords, place names) are shared strings rather than a copy per
demand. It reads exactly like the dict it replaces (``r["district"]``, ``r.get("owner")``,
``in``, iteration), so the view builders need not know.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import Any

from suqiu.store.views import VIEW_ANALYSIS, VIEW_COLUMNS

# the keys of a view record: the store's view columns, the masked texts replaced by the headline
FIELDS: tuple[str, ...] = tuple(c for c in (*VIEW_COLUMNS, *VIEW_ANALYSIS) if c not in ("masked_title", "masked_text")) \
    + ("title", "owner")
# values that recur across demands: one shared string each
SHARED = frozenset({"source", "channel", "district", "requester_type", "department_given", "business_name", "status",
                    "satisfaction", "sentiment_label", "urgency_level", "department", "publication", "owner"})
_KEYS = frozenset(FIELDS)
_UNSET = object()


def _shared(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


class ViewRecord(Mapping[str, Any]):
    __slots__ = FIELDS

    def __init__(self, row: Mapping[str, Any]) -> None:
        for key in FIELDS:
            value = row.get(key, _UNSET)
            if value is _UNSET:
                continue      # absent stays absent (``get`` gives None, ``in`` says no), as in the dict
            if key in SHARED:
                value = _shared(value)
            elif key in ("keywords", "places") and value is not None:
                value = tuple(_shared(v) for v in value)
            elif key == "dup_group" and value == row.get("id"):
                value = row["id"]   # a demand alone is its own group: one string, not two
            setattr(self, key, value)

    def __getitem__(self, key: str) -> Any:
        if key not in _KEYS:
            raise KeyError(key)
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return (k for k in FIELDS if hasattr(self, k))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"ViewRecord({dict(self)!r})"
