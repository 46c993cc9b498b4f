"""Cleaning rules for scraped values, one small pure function per kind of field.

A processor never raises: what it cannot understand it returns unchanged (as text), so the
validation pipeline rejects the item with a reason naming the field and the quarantine keeps the
raw value for someone to look at.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from suqiu.model import SHANGHAI

_LABEL = re.compile(r"^\s*[\w（）()]{1,8}[：:]\s*")
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/年.]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

DEFAULT_STATUS_MAP: dict[str, str] = {
    "已受理": "received", "待受理": "received", "未回复": "received", "待回复": "received",
    "办理中": "routed", "处理中": "routed", "已转办": "routed", "转办中": "routed",
    "已回复": "replied", "已答复": "replied", "已办理": "replied",
    "已办结": "closed", "已完成": "closed", "已关闭": "closed",
    "重新办理": "reopened", "已重办": "reopened",
    # Open311 GeoReport v2
    "open": "received", "closed": "closed",
}


def clean_text(value: Any) -> str:
    """Collapse runs of spaces (incl. full-width and no-break), keep line breaks, strip."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def strip_label(value: Any) -> str:
    """'所属地区：鼓楼区' → '鼓楼区' (boards often print the label inside the value's element)."""
    return _LABEL.sub("", clean_text(value), count=1)


def optional_text(value: Any) -> str | None:
    text = strip_label(value)
    return text or None


def parse_time(value: Any) -> datetime | str | None:
    """A date-time in the forms Chinese sites print; local time unless an offset is given.

    Returns the original text when it holds no valid date, so validation can say so.
    """
    if value is None or isinstance(value, datetime):
        return value
    text = clean_text(value)
    if not text:
        return None
    return _parse_loose(text)


def _parse_loose(text: str) -> datetime | str:
    m = _DATE.search(text)
    if not m:
        return text
    try:
        at = datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0))
    except ValueError:
        return text
    if m["tz"]:
        try:
            return datetime.fromisoformat(f"{at.isoformat()}{'+00:00' if m['tz'] == 'Z' else m['tz']}") \
                .astimezone(SHANGHAI)
        except ValueError:
            return text
    return at.replace(tzinfo=SHANGHAI)


def parse_int(value: Any) -> int | str | None:
    """'支持(12)' → 12; '-3' stays -3 (validation rejects it); unreadable text is kept."""
    if value is None or isinstance(value, int):
        return value
    text = clean_text(value)
    if not text:
        return None
    m = re.search(r"-?\d+", text.replace(",", ""))
    return int(m.group()) if m else text


def parse_float(value: Any) -> float | str | None:
    if value is None or isinstance(value, (int, float)):
        return None if value is None else float(value)
    text = clean_text(value)
    if not text:
        return None
    m = re.search(r"-?\d+(?:\.\d+)?", text)
    return float(m.group()) if m else text


def map_status(value: Any, mapping: Mapping[str, str] | None = None) -> str | None:
    """Site status text → record status; unknown text → None (the record keeps its default)."""
    text = clean_text(value)
    if not text:
        return None
    table = mapping or DEFAULT_STATUS_MAP
    if text in table:
        return table[text]
    return next((v for k, v in table.items() if k in text), None)


def district_in(text: str | None, names: Mapping[str, str]) -> str | None:
    """The first gazetteer district (or alias → name) mentioned in an address."""
    if not text:
        return None
    hits = [(text.find(k), v) for k, v in names.items() if k and k in text]
    return min(hits)[1] if hits else None


# The processor that cleans each record field a spider may scrape.
FIELD_PROCESSORS: dict[str, Callable[[Any], Any]] = {
    "source_id": lambda v: clean_text(v),
    "title": clean_text,
    "content": clean_text,
    "reply_text": lambda v: clean_text(v) or None,
    "received_at": parse_time,
    "replied_at": parse_time,
    "district": optional_text,
    "address": optional_text,
    "requester": optional_text,
    "replied_by": optional_text,
    "category_given": optional_text,
    "department_given": optional_text,
    "business_name": optional_text,
    "satisfaction": optional_text,
    "votes_up": parse_int,
    "votes_down": parse_int,
    "rating": parse_float,
}


def process_field(name: str, value: Any) -> Any:
    fn = FIELD_PROCESSORS.get(name)
    return fn(value) if fn else value
