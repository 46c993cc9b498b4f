"""One export row → one Demand, or a RowError saying why not (the row then goes to quarantine).

What a profile does not say comes from defaults here: the usual Chinese wordings of status and
requester type, blank-is-missing, and a stable derived id for exports without an id column.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from crawlers.dates import EXCEL_EPOCH, DateParseError, parse_datetime
from crawlers.importers.import_profiles import Binding
from crawlers.statuses import STATUS_WORDS
from suqiu.config import ImportProfile
from suqiu.model import Demand, RecordError, as_shanghai, build_demand

DATE_FIELDS = ("received_at", "replied_at")
INT_FIELDS = ("votes_up", "votes_down", "transfer_count", "reply_count", "callback_count")
FLOAT_FIELDS = ("rating",)

# Wordings seen in 12345 and message-board exports; a profile's value_maps add to or override them.
DEFAULT_VALUE_MAPS: dict[str, dict[str, str]] = {
    "status": STATUS_WORDS,
    "requester_type": {
        "individual": "individual", "enterprise": "enterprise", "anonymous": "anonymous",
        "个人": "individual", "实名": "individual", "市民": "individual", "群众": "individual",
        "企业": "enterprise", "单位": "enterprise", "法人": "enterprise", "公司": "enterprise",
        "匿名": "anonymous",
    },
}

_NEWLINES = re.compile(r"\r\n?")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


class RowError(Exception):
    """A row that cannot become a record: ``code`` groups the run stats, ``detail`` is for people."""

    def __init__(self, code: str, field: str | None, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.field = field
        self.detail = detail


@dataclass
class RowContext:
    """Where the row came from, for values the row itself does not hold."""

    sheet: str = ""
    epoch: datetime = EXCEL_EPOCH
    run_id: str | None = None


def cell_text(value: Any) -> str:
    """A cell as text: whole floats lose their '.0', times are ISO, line breaks are '\\n'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return _NEWLINES.sub("\n", str(value)).strip()


_SURROGATE_ESCAPES = re.compile("[\udc80-\udcff]")   # bytes that were not UTF-8 (surrogateescape)


def _has_surrogates(text: str) -> bool:
    return _SURROGATE_ESCAPES.search(text) is not None


def _lookup(value_map: Mapping[str, str], text: str) -> str | None:
    if text in value_map:
        return value_map[text]
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    for key, mapped in value_map.items():
        if unicodedata.normalize("NFKC", key).strip().lower() == folded:
            return mapped
    return None


def value_map(profile: ImportProfile, fld: str) -> dict[str, str]:
    merged = dict(DEFAULT_VALUE_MAPS.get(fld, {}))
    merged.update(profile.value_maps.get(fld, {}))
    return merged


def _number(fld: str, text: str, kind: type) -> int | float:
    cleaned = text.replace(",", "").replace("，", "").strip()
    if not _NUMBER.fullmatch(cleaned):
        raise RowError("bad_value", fld, f"{fld} 不是数字：'{text}'")
    number = float(cleaned)
    if kind is int:
        if not number.is_integer():
            raise RowError("bad_value", fld, f"{fld} 不是整数：'{text}'")
        return int(number)
    return number


def derived_id(profile: ImportProfile, values: Mapping[str, Any]) -> str:
    """A stable id from the record's own content, for exports without an id column.

    Whitespace is collapsed and times are ISO before hashing, so the same demand exported as CSV
    or as XLSX, or re-exported later with a reply added, keeps its id. 64 bits of SHA-256: a
    collision needs billions of rows; two rows that hash alike are the same demand (see run.py).
    """
    parts = []
    for fld in profile.id_fields:
        v = values.get(fld)
        if isinstance(v, datetime):
            parts.append(as_shanghai(v).replace(tzinfo=None).isoformat())
        else:
            parts.append(_SPACES.sub(" ", "" if v is None else str(v)).strip())
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{profile.id_prefix}{digest}"


def _cell_value(fld: str, cell: Any, binding: Binding, ctx: RowContext) -> Any:
    """One cell as the record field wants it (None: empty); RowError when it cannot be."""
    profile = binding.profile
    if fld in DATE_FIELDS:
        if isinstance(cell, str) and _has_surrogates(cell):
            raise RowError("bad_encoding", fld, f"{binding.headers[fld]} 含无法按文件编码解码的字节")
        try:
            return parse_datetime(cell, profile.date_formats, ctx.epoch)
        except DateParseError as exc:
            raise RowError("bad_date", fld, f"{binding.headers[fld]}：{exc}") from None
    text = cell_text(cell)
    if _has_surrogates(text):
        raise RowError("bad_encoding", fld, f"{binding.headers[fld]} 含无法按文件编码解码的字节")
    if not text:
        return None
    mapping = value_map(profile, fld)
    if mapping:
        mapped = _lookup(mapping, text)
        if mapped is not None:
            text = mapped
        elif fld in ("status", "requester_type"):
            raise RowError("bad_value", fld, f"{binding.headers[fld]} 的取值 '{text}' 不在对照表中")
    if fld in INT_FIELDS:
        return _number(fld, text, int)
    if fld in FLOAT_FIELDS:
        return _number(fld, text, float)
    return text


def _fill_defaults(values: dict[str, Any], binding: Binding, ctx: RowContext) -> None:
    """What the profile says for fields the row leaves empty: sheet, channel, status, id."""
    profile = binding.profile
    if profile.sheet_field and ctx.sheet and not values.get(profile.sheet_field):
        values[profile.sheet_field] = ctx.sheet
    if not values.get("channel") and profile.channel:
        values["channel"] = profile.channel
    if values.get("received_at") is None:
        raise RowError("missing_date", "received_at", f"{binding.headers.get('received_at', '时间')} 为空")
    if not values.get("status"):
        for rule in profile.status_rules:
            if values.get(rule.when) not in (None, ""):
                values["status"] = rule.status
                break
    if "source_id" in binding.columns:
        if not values.get("source_id"):
            raise RowError("missing_id", "source_id", f"{binding.headers['source_id']} 为空，无法识别记录")
        values["source_id"] = f"{profile.id_prefix}{values['source_id']}"
    else:
        values["source_id"] = derived_id(profile, values)


def _error_code(exc: RecordError) -> str:
    """The run-stats group of a record the model refused."""
    if exc.field in DATE_FIELDS:
        return "implausible_date"
    if "at most" in exc.reason:
        return "too_long"
    return "empty_content" if exc.field == "content" else "invalid"


def map_row(cells: Sequence[Any], binding: Binding, ctx: RowContext) -> Demand:
    """Map one row's cells through the profile into a validated Demand, or raise RowError."""
    values: dict[str, Any] = {}
    for fld, i in binding.columns.items():
        if fld in DATE_FIELDS:
            values[fld] = _cell_value(fld, cells[i] if i < len(cells) else None, binding, ctx)
            continue
        value = _cell_value(fld, cells[i] if i < len(cells) else None, binding, ctx)
        if value is not None:
            values[fld] = value
    _fill_defaults(values, binding, ctx)
    values["source"] = binding.profile.source
    values.setdefault("content", "")  # a title-only row is valid; neither is caught by the model
    values["crawl_run"] = ctx.run_id
    try:
        return build_demand(values)
    except RecordError as exc:
        code = _error_code(exc)
        header = binding.headers.get(exc.field, exc.field)
        raise RowError(code, exc.field, f"{header}：{exc.reason}") from None
