"""The weekly report's data-quality appendix: what the week's imports read, stored and rejected.

Two sheets of the XLSX appendix, built from the import runs' own records (``ImportStats.quality``):
one row per import, and one per import and rejection reason with its first examples (masked by
the importer, masked again here: a summary recorded without a masker shows no cell text at all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reports.document import Table

Mask = Callable[[str], str]


def import_rows(imports: Sequence[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for run in imports:
        s = run.get("stats") or {}
        rows.append([s.get("file") or "", s.get("profile") or "", run.get("started_at"), s.get("rows_read", 0),
                     s.get("new", 0), s.get("updated", 0), s.get("unchanged", 0), s.get("quarantined", 0),
                     run.get("error") or ""])
    return rows


def reason_rows(imports: Sequence[dict[str, Any]], mask: Mask) -> list[list[Any]]:
    rows = []
    for run in imports:
        s = run.get("stats") or {}
        for reason in (s.get("quality") or {}).get("reasons", []):
            examples = reason.get("examples") or [{}]
            first = examples[0]
            rows.append([s.get("file") or "", reason.get("code", ""), reason.get("label", ""), reason.get("count", 0),
                         "；".join(e.get("ref", "") for e in examples if e.get("ref")), first.get("field") or "",
                         mask(first.get("detail") or ""), mask(first.get("row") or "")])
    return rows


def quality_tables(imports: Sequence[dict[str, Any]], mask: Mask) -> list[Table]:
    """The appendix tables for the week's import runs (none: one line saying so)."""
    return [
        Table("导入数据质量", ["文件", "导入配置", "导入时间", "读取行数", "新增", "更新", "未变", "隔离", "错误"],
              import_rows(imports), note="本周各次导入的读取与入库情况。"),
        Table("导入隔离原因", ["文件", "原因代码", "原因", "行数", "示例位置", "示例字段", "示例说明", "示例行（已脱敏）"],
              reason_rows(imports, mask), note="可用 suqiu quarantine list/show/readmit 查看并更正后重新接纳。"),
    ]
