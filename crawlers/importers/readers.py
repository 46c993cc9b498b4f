"""Open an export (CSV, XLSX or legacy XLS) as tables of rows, streaming, whatever its encoding and layout.

Exports from 12345 centres arrive as UTF-8, UTF-8 with a BOM or GB18030 (Excel's "CSV" on a
Chinese Windows), sometimes with a title line above the header, two-row headers from merged
cells, and extra sheets of pivot tables. The reader finds the header row by looking for known
header names, fills merged header cells from the row above, and yields data rows lazily so a
large export never sits in memory.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from crawlers.dates import EXCEL_EPOCH
from crawlers.importers.headers import normalize_header

HEADER_SCAN_ROWS = 10
# the CSV parser reads a cell up to this many characters (a 20 MB cell included) so the row can be
# quarantined whole and the rows after it imported; past it is a runaway quote in a damaged file
CSV_FIELD_LIMIT = 64 * 1024 * 1024
# a cell longer than this is no demand (the record takes 50,000 characters of content): its row is
# quarantined as cell_too_large, keeping only the start of the cell
CELL_CHAR_LIMIT = 100_000
_CHUNK = 1 << 20
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (BIFF)
_MAC_EPOCH = datetime(1904, 1, 1)                  # an .xls saved with the 1904 date system
# what binary files people export or pick by mistake start with
_BINARY_MAGIC = (b"%PDF", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"7z\xbc\xaf", b"Rar!",
                 b"SQLite format 3", b"BZh", b"\xfd7zXZ", b"\x7fELF", b"MZ")
_TEXT_SAMPLE = 64 * 1024
_MAX_BAD_SHARE = 0.02   # undecodable or private-use characters per character, in UTF-8 or GB18030
_MIN_BAD = 8            # fewer is a damaged byte or two in a small file, not a binary one


class ImportFileError(Exception):
    """The file as a whole cannot be read (empty, corrupt, unsupported); the message is for users."""


class RowReadError(Exception):
    """The reader lost its place inside a file (broken quoting, a damaged sheet part)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class Table:
    """One header plus its data rows: the CSV itself, or one sheet of a workbook."""

    name: str                       # sheet title; "" for a CSV
    headers: list[str]              # as written, merged header cells filled in
    header_row: int                 # 1-based row (CSV: record) number of the header
    rows: Iterator[tuple[int, list[Any]]]  # (1-based row number, cells), blank rows included
    width: int = 0                  # cells in the header row as read (before trimming empties)
    strict_width: bool = False      # CSV: a row with a different field count is damaged
    epoch: datetime = EXCEL_EPOCH
    notes: list[str] = field(default_factory=list)

    @property
    def normalized(self) -> list[str]:
        return [normalize_header(h) for h in self.headers]


@dataclass
class Workbook:
    """What ``open_export`` found: the kind of file, its text encoding (CSV) and its tables."""

    kind: str                       # "csv" | "xlsx" | "xls"
    encoding: str | None
    tables: list[Table]


def sniff_kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise ImportFileError(f"文件为空：{path.name}")
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if not looks_like_text(path):
        raise ImportFileError(f"{path.name} 不是文本 CSV 文件，也不是 XLSX（看起来是二进制文件，例如图片、压缩包、"
                              f"PDF 或数据库文件）。请从业务系统导出为 CSV（UTF-8 或 GB18030）或 XLSX 后再导入")
    return "csv"


def looks_like_text(path: Path) -> bool:
    """Whether the file's start reads as text: no known binary signature, no NUL byte (outside
    UTF-16, which has a BOM), control characters rare, and it decodes in UTF-8 or GB18030 with few
    errors. A damaged byte here and there stays text: its row is quarantined later."""
    with path.open("rb") as f:
        sample = f.read(_TEXT_SAMPLE)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if sample.startswith(_BINARY_MAGIC) or b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(sample) * 0.01:
        return False
    return min(_bad_share(sample, enc) for enc in ("utf-8", "gb18030")) <= _MAX_BAD_SHARE


def _bad_share(sample: bytes, encoding: str) -> float:
    """Undecodable or private-use characters per character: GB18030 reads almost any run of high
    bytes as characters, but random bytes land in its user-defined (private-use) areas about one
    time in twelve, while real text hardly ever does."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)  # a cut last char is no error
    bad = sum(1 for ch in text if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff")
    return 0.0 if bad < _MIN_BAD else bad / max(1, len(text))


def _decode_errors(path: Path, encoding: str) -> int:
    """Count undecodable sequences in the whole file, streaming (0: the encoding fits)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    bad = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            bad += decoder.decode(chunk).count("\ufffd")
        bad += decoder.decode(b"", final=True).count("\ufffd")
    return bad


def detect_encoding(path: Path) -> str:
    """BOM first; else UTF-8 if every byte decodes; else GB18030 (a superset of GBK and GB2312).

    When neither decodes cleanly the one with fewer bad sequences wins; rows holding the bad
    bytes are quarantined later rather than guessed at.
    """
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf8_bad = _decode_errors(path, "utf-8")
    if utf8_bad == 0:
        return "utf-8"
    gb_bad = _decode_errors(path, "gb18030")
    return "gb18030" if gb_bad <= utf8_bad else "utf-8"


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def find_header(peek: list[list[Any]], known: set[str]) -> int:
    """Index of the row in ``peek`` that looks most like the header (most known header names).

    Without any known name the first non-blank row is the header, so the error message can
    still show what the file calls its columns.
    """
    best, best_score = -1, 0
    for i, row in enumerate(peek):
        score = sum(1 for c in row if c is not None and normalize_header(c) in known)
        if score > best_score:
            best, best_score = i, score
    if best >= 0:
        return best
    return next((i for i, row in enumerate(peek) if not is_blank(row)), 0)


def fill_merged_header(peek: list[list[Any]], index: int) -> list[str]:
    """The header row, with empty cells taken from the rows above (vertically merged cells).

    A two-row header such as ``工单编号 | 诉求信息(merged) | …`` over ``(merged) | 来电时间 | 诉求内容``
    becomes ``工单编号 | 来电时间 | 诉求内容``: the lower row names the columns it names, the upper
    row names the columns merged down through it.
    """
    width = max((len(r) for r in peek[: index + 1]), default=0)
    header: list[str] = []
    for col in range(width):
        value: Any = None
        for r in range(index, -1, -1):
            row = peek[r]
            cell = row[col] if col < len(row) else None
            if cell is not None and str(cell).strip():
                value = cell
                break
        header.append("" if value is None else str(value).strip())
    while header and not header[-1]:
        header.pop()
    return header


def _split_table(name: str, rows: Iterator[list[Any]], known: set[str], first_row: int = 1,
                 **kwargs: Any) -> Table:
    peek = list(islice(rows, HEADER_SCAN_ROWS))
    index = find_header(peek, known)
    headers = fill_merged_header(peek, index)
    numbered = ((first_row + i, r) for i, r in enumerate(chain(peek[index + 1:], rows), start=index + 1))
    width = len(peek[index]) if peek else 0
    return Table(name=name, headers=headers, header_row=first_row + index, rows=numbered, width=width, **kwargs)


def _csv_rows(reader: Any) -> Iterator[list[Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise RowReadError(reader.line_num, f"CSV 在第 {reader.line_num} 行附近无法继续解析：{exc}") from None


@contextmanager
def open_csv(path: Path, known: set[str], encoding: str | None = None) -> Iterator[Workbook]:
    encoding = encoding or detect_encoding(path)
    with path.open("rb") as fb:
        if fb.read(3) == codecs.BOM_UTF8 and codecs.lookup(encoding).name == "utf-8":
            encoding = "utf-8-sig"  # a forced "utf-8" must not leak the BOM into the first header
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    # surrogateescape keeps undecodable bytes visible so the row holding them can be quarantined
    with path.open("r", encoding=encoding, errors="surrogateescape", newline="") as f:
        first = f.readline()
        f.seek(0)
        reader = csv.reader(f, delimiter=_sniff_delimiter(first))
        table = _split_table("", _csv_rows(reader), known, strict_width=True)
        yield Workbook(kind="csv", encoding=encoding, tables=[table])


def _sheet_rows(ws: Any, title: str) -> Iterator[list[Any]]:
    n = 0
    try:
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield list(row)
    except Exception as exc:  # a damaged sheet part: keep what was read, report where it broke
        raise RowReadError(n + 1, f"工作表「{title}」第 {n + 1} 行起无法读取：{exc}") from None


@contextmanager
def open_xlsx(path: Path, known: set[str]) -> Iterator[Workbook]:
    import openpyxl  # heavy; only for workbooks
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError on a missing part, XML errors …
        raise ImportFileError(f"无法读取 XLSX 文件 {path.name}（文件损坏或不完整）：{type(exc).__name__}: {exc}") from None
    try:
        epoch = getattr(wb, "epoch", EXCEL_EPOCH)
        tables = []
        for ws in wb.worksheets:
            try:
                tables.append(_split_table(ws.title, _sheet_rows(ws, ws.title), known, epoch=epoch))
            except RowReadError as exc:
                raise ImportFileError(f"无法读取 {path.name} 的工作表「{ws.title}」表头：{exc}") from None
        yield Workbook(kind="xlsx", encoding=None, tables=tables)
    finally:
        wb.close()


def _xls_cell(cell: Any, datemode: int) -> Any:
    """A BIFF cell as openpyxl would give it: dates as datetimes, whole numbers as ints, blanks as None."""
    import xlrd
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value)
    return cell.value


@contextmanager
def open_xls(path: Path, known: set[str]) -> Iterator[Workbook]:
    """A legacy Excel 97–2003 workbook (.xls, an OLE file), sheet by sheet, through xlrd."""
    import xlrd  # only for legacy workbooks
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # XLRDError, CompDocError, struct errors on a damaged file …
        raise ImportFileError(f"无法读取旧版 Excel（.xls）文件 {path.name}（文件损坏、加密或不是工作簿）："
                              f"{type(exc).__name__}: {exc}") from None
    try:
        tables = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = ([_xls_cell(c, book.datemode) for c in sheet.row(r)] for r in range(sheet.nrows))
            tables.append(_split_table(sheet.name, rows, known, epoch=_MAC_EPOCH if book.datemode else EXCEL_EPOCH))
        yield Workbook(kind="xls", encoding=None, tables=tables)
    finally:
        book.release_resources()


@contextmanager
def open_export(path: Path, known: set[str], encoding: str | None = None) -> Iterator[Workbook]:
    """Open a CSV, XLSX or legacy XLS export (decided by content, not by the file name)."""
    if not path.exists():
        raise ImportFileError(f"文件不存在：{path}")
    if path.is_dir():
        raise ImportFileError(f"这是一个目录，不是导出文件：{path}")
    kind = sniff_kind(path)
    opener = open_xlsx(path, known) if kind == "xlsx" else open_xls(path, known) if kind == "xls" \
        else open_csv(path, known, encoding)
    with opener as wb:
        yield wb
