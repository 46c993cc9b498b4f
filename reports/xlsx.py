"""Spreadsheet writing that cannot be turned against the reader (formula/DDE injection)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would evaluate is prefixed with an apostrophe; numbers pass."""
    if isinstance(value, str):
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple, set)):
        return safe_cell("、".join(str(v) for v in value))
    if isinstance(value, dict):
        return safe_cell("；".join(f"{k}: {v}" for k, v in value.items()))
    return value


def add_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws = wb.create_sheet(title=title[:31])
    ws.append([safe_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [max(6, len(str(h)) * 2) for h in headers]
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        for i, v in enumerate(row):
            widths[i] = min(60, max(widths[i], len(str(v)) if v is not None else 0))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w + 2
    ws.freeze_panes = "A2"


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows); an empty sheet list still yields a file."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        add_sheet(wb, title, headers, rows)
    if not wb.sheetnames:
        wb.create_sheet("说明").append(["无数据"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
