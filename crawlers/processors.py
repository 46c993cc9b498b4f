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

from crawlers import statuses
from crawlers.dates import find_datetime

_LABEL = re.compile(r"^\s*[\w（）()]{1,8}[：:]\s*")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


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
    """A date-time in the forms Chinese sites print (``crawlers.dates``); local time unless an
    offset is given. Returns the original text when it holds no valid date, so validation can say so.
    """
    if value is None or isinstance(value, datetime):
        return value
    text = clean_text(value)
    if not text:
        return None
    return find_datetime(text) or text


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
    """Site status text → record status (``crawlers.statuses``, with the site's own wordings on top)."""
    return statuses.map_status(clean_text(value), statuses.status_words(mapping))


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
