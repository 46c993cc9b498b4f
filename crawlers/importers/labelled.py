"""Labelled exports for training and evaluation, read by the same reader as ``suqiu import``:
CSV in UTF-8, UTF-8 with a BOM or GB18030, and XLSX, with the header found by its column names."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawlers.importers.headers import normalize_header
from crawlers.importers.mapping import cell_text
from crawlers.importers.readers import ImportFileError, RowReadError, open_export


class LabelledFileError(ValueError):
    """A labelled file cannot be used; the message (Chinese) says why."""


@dataclass
class Labelled:
    texts: list[str]
    labels: list[str]
    skipped: int            # rows with an empty text (or label)
    path: str


def read_labelled(path: Path, text_col: str, label_col: str | None) -> Labelled:
    """Texts and labels of a CSV/XLSX export (first sheet that has the columns)."""
    path = Path(path)
    wanted = [c for c in (text_col, label_col) if c]
    known = {normalize_header(c) for c in wanted}
    try:
        with open_export(path, known) as wb:
            for table in wb.tables:
                names = table.normalized
                if not all(normalize_header(c) in names for c in wanted):
                    continue
                ti = names.index(normalize_header(text_col))
                li = names.index(normalize_header(label_col)) if label_col else None
                return _collect(table.rows, ti, li, str(path))
            found = "、".join(h for t in wb.tables for h in t.headers if h) or "（无）"
    except (ImportFileError, RowReadError) as exc:
        raise LabelledFileError(f"无法读取 {path}: {exc}") from None
    raise LabelledFileError(f"{path} 缺少列 {', '.join(wanted)}（现有列: {found}）")


def _collect(rows: Iterator[tuple[int, list[Any]]], ti: int, li: int | None, path: str) -> Labelled:
    texts, labels, skipped = [], [], 0
    for _, cells in rows:
        text = cell_text(cells[ti]).strip() if ti < len(cells) else ""
        label = (cell_text(cells[li]).strip() if li < len(cells) else "") if li is not None else ""
        if not text and not label and not any(cell_text(c).strip() for c in cells):
            continue  # a blank row is no sample
        if not text or (li is not None and not label):
            skipped += 1
            continue
        texts.append(text)
        labels.append(label)
    return Labelled(texts, labels, skipped, path)


# title and content columns of exports without a ``text`` column (portal messages, the Teddy Cup files)
UNLABELED_COLUMNS: tuple[tuple[str, ...], ...] = (("text",), ("留言主题", "留言详情"), ("title", "content"))


def read_unlabeled(paths: Sequence[Path], text_col: str | None = None) -> list[str]:
    """The distinct texts of unlabelled exports (``text_col``, else title + content columns joined);
    a text repeated within or across files is kept once (the same post appears in several exports)."""
    seen: dict[str, None] = {}
    options = ((text_col,),) if text_col else UNLABELED_COLUMNS
    for path in map(Path, paths):
        known = {normalize_header(c) for cols in options for c in cols}
        try:
            with open_export(path, known) as wb:
                found = _unlabeled_table(wb, options)
                if found is None:
                    headers = "、".join(h for t in wb.tables for h in t.headers if h) or "（无）"
                    wanted = " 或 ".join("+".join(c) for c in options)
                    raise LabelledFileError(f"{path} 缺少文本列 {wanted}（现有列: {headers}）")
                table, idx = found
                for _, cells in table.rows:
                    text = "".join(cell_text(cells[i]).strip() for i in idx if i < len(cells))
                    if text:
                        seen.setdefault(text, None)
        except (ImportFileError, RowReadError) as exc:
            raise LabelledFileError(f"无法读取 {path}: {exc}") from None
    return list(seen)


def _unlabeled_table(wb: Any, options: Sequence[Sequence[str]]) -> tuple[Any, list[int]] | None:
    for table in wb.tables:
        names = table.normalized
        for cols in options:
            if all(normalize_header(c) in names for c in cols):
                return table, [names.index(normalize_header(c)) for c in cols]
    return None
