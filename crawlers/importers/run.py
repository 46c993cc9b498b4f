"""Import one export into the store as one recorded run, losing no row.

Every non-blank row read ends as exactly one of: new, updated, unchanged (the store already had
it), or quarantined with its reason and raw cells. Within one file the first row with a given id
wins; a later row with the same id is quarantined as a duplicate (identical) or a conflicting
duplicate (naming the fields that differ), so importing the same file twice gives the same store.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.importers.mapping import RowContext, RowError, cell_text, map_row
from crawlers.importers.import_profiles import Binding, NoProfileMatch, bind, choose, known_headers
from crawlers.importers.quality import Mask, QualitySummary
from crawlers.importers.readers import CELL_CHAR_LIMIT, ImportFileError, RowReadError, Table, is_blank, open_export
from suqiu.config import Config, ImportProfile
from suqiu.logs import bind_run, unbind_run
from suqiu.model import MAX_CONTENT_CHARS, Demand
from suqiu.store import Store

log = logging.getLogger(__name__)
Notify = Callable[[str], None]
COMPARED_FIELDS = tuple(f for f in Demand.model_fields if f != "crawl_run")
KEPT_CHARS = 2_000   # of an oversized cell, in the quarantine


@dataclass
class ImportStats:
    """What one import did; ``as_dict`` is what the run records and ``--json`` prints."""

    file: str
    run_id: str | None = None
    profile: str | None = None
    profile_auto: bool = False
    kind: str | None = None
    encoding: str | None = None
    sheets: list[dict[str, Any]] = field(default_factory=list)
    skipped_sheets: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    blank_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    quarantined_by_reason: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    quality: QualitySummary = field(default_factory=QualitySummary)

    @property
    def imported(self) -> int:
        return self.new + self.updated

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.new + self.updated + self.unchanged + self.quarantined

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "file": self.file, "profile": self.profile,
            "profile_auto": self.profile_auto, "kind": self.kind, "encoding": self.encoding,
            "sheets": self.sheets, "skipped_sheets": self.skipped_sheets,
            "rows_read": self.rows_read, "imported": self.imported, "new": self.new,
            "updated": self.updated, "unchanged": self.unchanged, "quarantined": self.quarantined,
            "quarantined_by_reason": dict(sorted(self.quarantined_by_reason.items())),
            "blank_rows": self.blank_rows, "errors": self.errors, "balanced": self.balanced,
            "seconds": round(self.seconds, 3), "quality": self.quality.as_dict(),
        }


def _safe_text(value: Any) -> str:
    """Cell text for the quarantine: undecodable bytes shown as \\xNN rather than lost."""
    text = cell_text(value)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _header(table: Table, i: int) -> str:
    return table.headers[i] if i < len(table.headers) and table.headers[i] else f"第{i + 1}列"


def storable(value: Any) -> Any:
    """Run stats and errors as the database can hold them: text read with ``surrogateescape`` (a
    header of a binary or mis-encoded file) keeps its undecodable bytes as ``\\udcXX`` escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return [storable(v) for v in value] if isinstance(value, (list, tuple)) else value


def raw_payload(file: str, table: Table, row: int, cells: list[Any]) -> dict[str, Any]:
    """The row as the quarantine keeps it; an oversized cell is cut to its first ``KEPT_CHARS``."""
    named: dict[str, str] = {}
    for i, value in enumerate(cells):
        header = _header(table, i)
        key = header if header not in named else f"{header}#{i + 1}"
        text = _safe_text(value)
        if len(text) > CELL_CHAR_LIMIT:
            text = f"{text[:KEPT_CHARS]}…（共 {len(text):,} 个字符，只保留前 {KEPT_CHARS:,} 个）"
        named[key] = text
    return {"file": file, "sheet": table.name or None, "row": row, "cells": named}


def oversized_cell(table: Table, cells: list[Any]) -> str | None:
    """Why the row is too large to be a demand (the first oversized cell), or None."""
    for i, value in enumerate(cells):
        if isinstance(value, str) and len(value) > CELL_CHAR_LIMIT:
            return (f"「{_header(table, i)}」有 {len(value):,} 个字符，超过单元格上限 {CELL_CHAR_LIMIT:,}"
                    f"（诉求内容最多 {MAX_CONTENT_CHARS:,} 个字符）；隔离时只保留前 {KEPT_CHARS:,} 个字符")
    return None


def select_profiles(config: Config, name: str | None) -> list[ImportProfile]:
    if name is None:
        return list(config.import_profiles)
    profile = config.import_profile(name)
    if profile is None:
        names = "、".join(p.name for p in config.import_profiles) or "（无）"
        raise ImportFileError(f"没有名为「{name}」的导入配置。可用的导入配置：{names}")
    return [profile]


def _where(table: Table) -> str:
    return f"工作表「{table.name}」的" if table.name else ""


def plan_tables(tables: list[Table], profiles: list[ImportProfile], explicit: bool,
                stats: ImportStats) -> tuple[Binding, list[tuple[Table, Binding]]]:
    """Pick the profile for the file and the tables (sheets) it imports; say why others are skipped."""
    nonempty = [t for t in tables if any(t.headers)]
    for t in tables:
        if not any(t.headers):
            stats.skipped_sheets[t.name or "(csv)"] = "空表，没有表头"
    if not nonempty:
        raise ImportFileError(f"文件 {stats.file} 中没有任何数据（没有表头行）")

    def allowed(p: ImportProfile, t: Table) -> bool:
        return not t.name or not p.sheets or re.search(p.sheets, t.name) is not None

    if explicit:
        profile = profiles[0]
    else:
        best: dict[str, tuple[int, float, ImportProfile]] = {}
        first_error: NoProfileMatch | None = None
        for t in nonempty:
            try:
                b = choose(profiles, t.headers, _where(t))
            except NoProfileMatch as exc:
                first_error = first_error or exc
                continue
            if allowed(b.profile, t):
                n, score, _ = best.get(b.profile.name, (0, 0.0, b.profile))
                best[b.profile.name] = (n + 1, max(score, b.score), b.profile)
        if not best:
            if first_error is None:  # profiles fit, but only sheets their `sheets` pattern excludes
                first_error = NoProfileMatch(nonempty[0].headers, [bind(p, nonempty[0].headers) for p in profiles],
                                             _where(nonempty[0]))
            raise first_error
        profile = max(best.values(), key=lambda v: (v[0], v[1]))[2]

    chosen: list[tuple[Table, Binding]] = []
    for t in nonempty:
        b = bind(profile, t.headers)
        if not allowed(profile, t):
            stats.skipped_sheets[t.name] = f"工作表名不符合导入配置的 sheets 规则（{profile.sheets}）"
        elif not b.fits:
            stats.skipped_sheets[t.name or "(csv)"] = f"表头不匹配：缺少 {'、'.join(b.missing)}"
        else:
            chosen.append((t, b))
    if not chosen:
        t = nonempty[0]
        raise NoProfileMatch(t.headers, [bind(profile, t.headers)], _where(t))
    return chosen[0][1], chosen


class _Importer:
    """Streams rows into the store in batches and keeps the run's books balanced."""

    def __init__(self, store: Store, stats: ImportStats, file: str, batch_size: int) -> None:
        self.store = store
        self.stats = stats
        self.file = file
        self.batch_size = batch_size
        self.pending: dict[str, Demand] = {}
        self.seen: dict[str, tuple[str, str]] = {}   # id → (first row ref, content hash)

    def quarantine(self, source: str, code: str, detail: str, payload: Any, ref: str,
                   fld: str | None = None) -> None:
        self.store.quarantine(source, f"{code}: {detail}", payload, source_ref=ref, field=fld,
                              run_id=self.stats.run_id)
        self.stats.quarantined += 1
        self.stats.quarantined_by_reason[code] += 1
        self.stats.quality.add(code, detail, ref, fld, payload)

    def flush(self) -> None:
        if self.pending:
            result = self.store.upsert(list(self.pending.values()), origin="import", actor=self.stats.profile)
            self.stats.new += result.new
            self.stats.updated += result.updated
            self.stats.unchanged += result.unchanged
            self.pending.clear()
        self.store.heartbeat(self.stats.run_id)

    def _differing(self, demand: Demand) -> list[str]:
        first = self.pending.get(demand.id)
        if first is not None:
            a, b = first.model_dump(), demand.model_dump()
            return [f for f in COMPARED_FIELDS if a[f] != b[f]]
        row = self.store.get(demand.id) or {}
        b = demand.model_dump()
        return [f for f in COMPARED_FIELDS
                if f in row and f not in ("status",) and _norm(row[f]) != _norm(b[f])]

    def table(self, table: Table, binding: Binding) -> int:
        profile = binding.profile
        ctx = RowContext(sheet=table.name, epoch=table.epoch, run_id=self.stats.run_id)
        rows: Iterator[tuple[int, list[Any]]] = table.rows
        read = 0
        prefix = f"{self.file}:{table.name}" if table.name else self.file
        while True:
            try:
                item = next(rows, None)
            except RowReadError as exc:
                self.stats.rows_read += 1
                read += 1
                self.stats.errors.append(str(exc))
                self.quarantine(profile.source, "parse_error", str(exc),
                                {"file": self.file, "sheet": table.name or None, "row": exc.row, "error": str(exc)},
                                f"{prefix}:{exc.row}")
                break
            if item is None:
                break
            rownum, cells = item
            if is_blank(cells):
                self.stats.blank_rows += 1
                continue
            self.stats.rows_read += 1
            read += 1
            ref = f"{prefix}:{rownum}"
            self.row(table, binding, ctx, rownum, cells, ref)
        return read

    def row(self, table: Table, binding: Binding, ctx: RowContext, rownum: int, cells: list[Any], ref: str) -> None:
        source = binding.profile.source
        if table.strict_width and len(cells) != table.width:
            payload = raw_payload(self.file, table, rownum, cells)
            self.quarantine(source, "field_count",
                            f"第 {rownum} 行有 {len(cells)} 个字段，表头有 {table.width} 个（引号或分隔符错位，或行被截断）",
                            payload, ref)
            return
        too_large = oversized_cell(table, cells)
        if too_large:
            self.quarantine(source, "cell_too_large", too_large, raw_payload(self.file, table, rownum, cells), ref)
            return
        try:
            demand = map_row(cells, binding, ctx)
        except RowError as exc:
            self.quarantine(source, exc.code, exc.detail, raw_payload(self.file, table, rownum, cells), ref, exc.field)
            return
        digest = demand.content_hash()
        first = self.seen.get(demand.id)
        if first is not None:
            first_ref, first_digest = first
            payload = raw_payload(self.file, table, rownum, cells)
            if first_digest == digest:
                self.quarantine(source, "duplicate_row", f"与 {first_ref} 完全相同", payload, ref)
            else:
                diff = "、".join(self._differing(demand)) or "（未知字段）"
                self.quarantine(source, "duplicate_key",
                                f"与 {first_ref} 是同一条诉求（编号 {demand.source_id}），但 {diff} 不同；保留先出现的一行",
                                payload, ref)
            return
        self.seen[demand.id] = (ref, digest)
        self.pending[demand.id] = demand
        if len(self.pending) >= self.batch_size:
            self.flush()


def _norm(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def import_file(store: Store, config: Config, path: Path, profile_name: str | None = None,
                notify: Notify | None = None, batch_size: int = 500, mask: Mask | None = None) -> ImportStats:
    """Import ``path`` (CSV, XLSX or XLS) through the named profile, or the best-matching one.

    Raises ImportFileError (unreadable file, unknown profile) or NoProfileMatch before any row is
    written; the failed run is still recorded with its error. ``mask`` (the PII masker) lets the
    data-quality summary quote its examples; without it the examples name only row and field.
    """
    started = time.perf_counter()
    path = Path(path)
    stats = ImportStats(file=path.name, quality=QualitySummary(mask))
    profiles = select_profiles(config, profile_name)
    token = bind_run(None)
    try:
        return _import(store, path, profiles, profile_name, stats, notify or (lambda _m: None), batch_size, started)
    finally:
        unbind_run(token)


def _import(store: Store, path: Path, profiles: list[ImportProfile], profile_name: str | None, stats: ImportStats,
            say: Notify, batch_size: int, started: float) -> ImportStats:
    run_id: str | None = None
    try:
        with open_export(path, known_headers(profiles), (profiles[0].encoding or None) if profile_name else None) as wb:
            stats.kind, stats.encoding = wb.kind, wb.encoding
            binding, chosen = plan_tables(wb.tables, profiles, profile_name is not None, stats)
            stats.profile = binding.profile.name
            stats.profile_auto = profile_name is None
            run_id = store.start_run("import", source=binding.profile.source)
            stats.run_id = run_id
            bind_run(run_id)
            log.info("import %s with profile %s", path.name, binding.profile.name)
            how = "按表头自动选择" if stats.profile_auto else "按 --profile 指定"
            say(f"导入配置：{binding.profile.name}（{how}，匹配 {len(binding.columns)}/{len(binding.profile.columns)} 列）")
            for name, reason in stats.skipped_sheets.items():
                say(f"跳过工作表「{name}」：{reason}")
            importer = _Importer(store, stats, path.name, batch_size)
            for table, b in chosen:
                n = importer.table(table, b)
                importer.flush()
                stats.sheets.append({"name": table.name or None, "header_row": table.header_row, "rows_read": n})
    except (ImportFileError, NoProfileMatch) as exc:
        stats.seconds = time.perf_counter() - started
        run_id = run_id or store.start_run("import", source=None)
        stats.run_id = run_id
        bind_run(run_id)
        log.error("import %s failed: %s", path.name, exc)
        store.finish_run(run_id, storable(stats.as_dict()), error=storable(str(exc)))
        raise
    except Exception as exc:
        stats.seconds = time.perf_counter() - started
        if run_id:
            store.finish_run(run_id, storable(stats.as_dict()), error=storable(f"{type(exc).__name__}: {exc}"))
        raise
    stats.seconds = time.perf_counter() - started
    store.finish_run(run_id, storable(stats.as_dict()))
    log.info("import %s: %s new, %s updated, %s unchanged, %s quarantined", path.name, stats.new, stats.updated,
             stats.unchanged, stats.quarantined)
    return stats
