"""The corpus as a 12345 work-order export (CSV) that ``suqiu import`` reads with a configured profile.

Headers are the profile's own first alias for each field it maps (工单编号, 来电时间, 诉求内容 …),
so the file follows the configuration, and values are written the way such exports write them:
local time without zone, status and requester type in Chinese wordings taken from the importer's
own vocabularies (``crawlers.statuses``, the importer's requester types), so every row reads back.
Rows are written as they are generated; nothing is held.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.corpus.generator import shipped_config
from crawlers.importers.mapping import DEFAULT_VALUE_MAPS
from crawlers.statuses import STATUS_WORDS
from suqiu.config import Config, ImportProfile

PROFILE = "12345-workorder"


def wordings(vocabulary: Mapping[str, str]) -> dict[str, str]:
    """Code → the first Chinese wording the importer reads as that code (so every row reads back)."""
    out: dict[str, str] = {}
    for word, code in vocabulary.items():
        if not word.isascii():
            out.setdefault(code, word)
    return out


STATUS_WORDING = wordings(STATUS_WORDS)                                 # received → 待受理 …
REQUESTER_WORDING = wordings(DEFAULT_VALUE_MAPS["requester_type"])      # individual → 个人 …


def export_columns(profile: ImportProfile) -> list[tuple[str, str]]:
    """(record field, header) for every field the profile maps, in the profile's order."""
    return [(fld, aliases[0]) for fld, aliases in profile.columns.items()]


def cell(fld: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ")[:19]   # local wall time to the second, without the offset
    if fld == "status":
        return STATUS_WORDING.get(str(value), str(value))
    if fld == "requester_type":
        return REQUESTER_WORDING.get(str(value), str(value))
    return str(value)


def write_csv(records: Iterable[dict[str, Any]], path: Path | str, *, config: Config | None = None,
              profile: str = PROFILE, encoding: str = "utf-8-sig") -> int:
    """Write ``records`` to ``path`` under ``profile``'s headers; returns the number of rows."""
    cfg = config or shipped_config()
    chosen = cfg.import_profile(profile)
    if chosen is None:
        raise ValueError(f"no import profile named '{profile}' in the configuration")
    columns = export_columns(chosen)
    count = 0
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow([header for _, header in columns])
        for record in records:
            out.writerow([cell(fld, record.get(fld)) for fld, _ in columns])
            count += 1
    return count
