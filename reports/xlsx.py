"""The one spreadsheet writer: workbooks people can work with, that cannot be turned against them.

- Numbers are numbers: ints and floats as they are, ``reports.values`` Percent/Number as their
  value with a number format (42%, +42%, 4.6), datetimes as dates (``yyyy-mm-dd hh:mm``).
- Text a spreadsheet would evaluate (``=`` ``+`` ``-`` ``@``, tab, CR, their full-width forms) stays
  text without changing what a person sees: the cell is typed as a string and flagged
  ``quotePrefix`` (no apostrophe is added to the value), so neither opening nor editing it runs it.
- The header row is bold, frozen and carries filters; columns are as wide as their text, counting
  a Chinese character as two.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.values import Number, Percent, When

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 6, 60


def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cell_value(value: Any) -> tuple[Any, str | None]:
    """(what the cell stores, its number format); lists and mappings become one line of text."""
    if isinstance(value, (Percent, Number)):
        return value.value, value.number_format
    if isinstance(value, When):
        return cell_value(value.value) if value.value is not None else (None, None)
    if isinstance(value, bool):
        return value, None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value), None
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items()), None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value), None
    return value, None


def shown(value: Any) -> str:
    """The text a person sees in the cell (for column widths)."""
    if isinstance(value, datetime):
        return "2026-11-16 09:00"
    if isinstance(value, (Percent, Number, When)):
        return str(value) if not isinstance(value, When) else shown(value.value)
    stored, _ = cell_value(value)
    return "" if stored is None else str(stored)


def write_cell(ws: Any, row: int, col: int, value: Any) -> None:
    stored, number_format = cell_value(value)
    cell = ws.cell(row=row, column=col)
    cell.value = stored
    if isinstance(stored, str) and stored.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"         # text, never a formula: what is shown is exactly the value
        cell.quotePrefix = True      # and stays text when someone edits it
    if number_format:
        cell.number_format = number_format


def add_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws = wb.create_sheet(title=title[:31])
    widths = [display_width(str(h)) for h in headers]
    for c, h in enumerate(headers, start=1):
        write_cell(ws, 1, c, h)
        ws.cell(row=1, column=c).font = Font(bold=True)
        ws.cell(row=1, column=c).alignment = Alignment(vertical="center")
    n = 1
    for n, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1):
            write_cell(ws, n, c, v)
            if c <= len(widths):
                widths[c - 1] = max(widths[c - 1], min(MAX_WIDTH, display_width(shown(v))))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(MAX_WIDTH, w)) + 2
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n, 1)}"


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows); an empty sheet list still yields a file."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        add_sheet(wb, title, headers, rows)
    if not wb.sheetnames:
        add_sheet(wb, "说明", ["说明"], [["无数据"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
