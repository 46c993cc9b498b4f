"""Re-admit a quarantined row: validate its stored payload again, as the importer or spider that
rejected it would, with the corrections a person made, and upsert what passes.

An export's row is mapped again through the import profile of the run that quarantined it (so the
id, dates and value maps come out as a re-import would); corrections name a header of the row
(``来电时间=…``) or a record field the profile maps (``received_at=…``). A crawled item is built
again by its source's spider from the page's field texts or the API row; corrections name record
fields. A whole page that failed (HTTP error, broken JSON) has nothing to re-admit: crawl again.
The quarantine row is kept and marked with the record it became.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.utils.misc import load_object

from crawlers.importers.import_profiles import NoProfileMatch, bind, choose
from crawlers.importers.mapping import RowContext, RowError, map_row
from crawlers.items import DemandItem
from crawlers.processors import process_field
from crawlers.sources import SPIDERS, spider_arguments
from suqiu.installation import Installation
from suqiu.model import Demand, RecordError, build_demand

EDITABLE = tuple(f for f in Demand.model_fields if f not in ("source", "crawl_run"))


class ReadmitError(ValueError):
    """The row cannot be re-admitted as it stands; the message says why and what to correct (Chinese)."""


@dataclass
class Readmitted:
    row_id: int
    record_id: str
    outcome: str          # new | updated | unchanged

    def as_dict(self) -> dict[str, Any]:
        return {"quarantine_id": self.row_id, "record_id": self.record_id, "outcome": self.outcome}


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """``["来电时间=2026-11-02 09:00", …]`` → {key: value}; a pair without '=' is refused."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ReadmitError(f"修改项应写作 字段=值：'{pair}'")
        out[key.strip()] = value.strip()
    return out


def _import_demand(app: Installation, row: Mapping[str, Any], payload: dict[str, Any], sets: dict[str, str]) -> Demand:
    cells: dict[str, Any] = dict(payload.get("cells") or {})
    run = app.store.run_record(row["run_id"]) if row.get("run_id") else None
    name = ((run or {}).get("stats") or {}).get("profile")
    profile = app.config.import_profile(name) if name else None
    try:
        binding = bind(profile, list(cells)) if profile else choose(app.config.import_profiles, list(cells))
    except NoProfileMatch as exc:
        raise ReadmitError(f"找不到与这一行表头相符的导入配置：{exc}") from None
    for key, value in sets.items():
        header = key if key in cells else binding.headers.get(key)
        if header is None:
            raise ReadmitError(f"'{key}' 既不是这一行的表头，也不是导入配置「{binding.profile.name}」映射的字段")
        cells[header] = value
    ctx = RowContext(sheet=payload.get("sheet") or "", run_id=row.get("run_id"))
    try:
        return map_row(list(cells.values()), bind(binding.profile, list(cells)), ctx)
    except RowError as exc:
        raise ReadmitError(f"仍未通过校验（{exc.code}）：{exc.detail}") from None


def _crawl_item(app: Installation, row: Mapping[str, Any], payload: Any) -> DemandItem:
    source = app.config.source(row["source"])
    if source is None:
        raise ReadmitError(f"隔离记录的来源 '{row['source']}' 既不是导入文件也不是已配置的数据源")
    if not row.get("field"):
        raise ReadmitError(f"这是整页失败（{row['reason']}），没有可重新接纳的诉求；请重新抓取该数据源")
    args, _ = spider_arguments(source.kind, source.kind, {"source": source.name, "home": str(app.home)})
    spider = load_object(SPIDERS[source.kind])(**args)
    ref = row.get("source_ref") or ""
    if source.kind == "portal":
        if not isinstance(payload, dict) or "fields" not in payload:
            raise ReadmitError("留言板的隔离内容缺少页面字段（fields），无法重新解析")
        return spider.item_from_fields(dict(payload["fields"]), payload.get("url") or ref)
    if source.kind == "reviews":
        return spider.parse_review(payload, ref)
    return spider.parse_request(payload, ref)


def _crawl_demand(app: Installation, row: Mapping[str, Any], payload: Any, sets: dict[str, str]) -> Demand:
    item = _crawl_item(app, row, payload)
    for key, value in sets.items():
        if key not in EDITABLE:
            raise ReadmitError(f"'{key}' 不是可修改的记录字段；可用：{'、'.join(EDITABLE)}")
        setattr(item, key, process_field(key, value) if key != "source_id" else value)
    fields = item.record_fields()
    if row.get("run_id"):
        fields["crawl_run"] = row["run_id"]
    try:
        return build_demand(fields)
    except RecordError as exc:
        raise ReadmitError(f"仍未通过校验：{exc.field}：{exc.reason}") from None


def revalidate(app: Installation, row: Mapping[str, Any], payload: Any, sets: dict[str, str]) -> Demand:
    """The Demand the quarantined row makes with these corrections, or ReadmitError saying why not."""
    if isinstance(payload, dict) and "cells" in payload and "file" in payload:
        return _import_demand(app, row, payload, sets)
    return _crawl_demand(app, row, payload, sets)


def readmit(app: Installation, row_id: int, sets: dict[str, str] | None = None, payload: Any = None,
            actor: str | None = None) -> Readmitted:
    """Re-validate quarantined row ``row_id`` (its payload, or an edited one), upsert, mark it re-admitted."""
    import json
    row = app.store.quarantine_row(row_id)
    if row is None:
        raise ReadmitError(f"没有编号为 {row_id} 的隔离记录")
    if row.get("readmitted_at"):
        raise ReadmitError(f"隔离记录 {row_id} 已于 {row['readmitted_at']:%Y-%m-%d %H:%M} 重新接纳为 {row['readmitted_record']}")
    if payload is None:
        try:
            payload = json.loads(row["payload"])
        except ValueError:
            raise ReadmitError("隔离内容不是 JSON，无法重新校验；请用 --payload 提供修改后的 JSON 文件") from None
    demand = revalidate(app, row, payload, sets or {})
    result = app.store.upsert([demand], origin="readmit", actor=actor)
    app.store.mark_readmitted(row_id, demand.id, actor)
    outcome = "new" if result.new else "updated" if result.updated else "unchanged"
    return Readmitted(row_id, demand.id, outcome)
