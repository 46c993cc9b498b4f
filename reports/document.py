"""A report as plain data (sections of paragraphs, tables and charts), independent of its format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Chart:
    title: str
    png: bytes


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    generated_at: datetime
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    appendix: list[Table] = field(default_factory=list)   # only in the XLSX appendix (data quality …)

    def all_text(self) -> str:
        """Every character the report shows (for font subsetting and checks)."""
        parts = [self.title, self.subtitle, *self.summary]
        for s in self.sections:
            parts += [s.title, *s.paragraphs]
            for t in s.tables:
                parts += [t.title, t.note, *t.headers]
                parts += [str(v) for row in t.rows for v in row if v is not None]
            parts += [c.title for c in s.charts]
        return "".join(parts)
