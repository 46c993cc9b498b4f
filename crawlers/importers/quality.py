"""An import's data-quality summary: what was rejected, by reason, with a few examples.

People act on examples, not counts ("12 rows: bad_date" says less than row 14's 来电时间 reads
'2024-13-40'). The examples quote the row, so they are masked before they leave the importer: the
caller passes the PII masker (``nlp.pii``; crawlers cannot import it), and without one the summary
keeps only where each example is and which field failed, no cell text at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from suqiu.labels import QUARANTINE_REASON, label

EXAMPLES_PER_REASON = 3
ROW_PREVIEW_CHARS = 160
Mask = Callable[[str], str]


def row_preview(payload: Any) -> str:
    """The row's non-empty cells as 'header: value; …', cut to a readable length."""
    cells = payload.get("cells") if isinstance(payload, dict) else None
    if not isinstance(cells, dict):
        return ""
    text = "；".join(f"{k}: {v}" for k, v in cells.items() if str(v).strip())
    return text if len(text) <= ROW_PREVIEW_CHARS else text[: ROW_PREVIEW_CHARS - 1] + "…"


@dataclass
class QualitySummary:
    """Rejections by reason code, and up to ``EXAMPLES_PER_REASON`` masked examples of each."""

    mask: Mask | None = None
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, code: str, detail: str, ref: str, fld: str | None, payload: Any) -> None:
        self.counts[code] += 1
        shown = self.examples.setdefault(code, [])
        if len(shown) >= EXAMPLES_PER_REASON:
            return
        example: dict[str, Any] = {"ref": ref, "field": fld}
        if self.mask is not None:
            example["detail"] = self.mask(detail)
            example["row"] = self.mask(row_preview(payload))
        shown.append(example)

    @property
    def rejected(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "rejected": self.rejected,
            "masked": self.mask is not None,
            "reasons": [{"code": code, "label": label(QUARANTINE_REASON, code), "count": n,
                         "examples": self.examples.get(code, [])} for code, n in self.counts.most_common()],
        }


def describe(quality: dict[str, Any]) -> list[str]:
    """The summary for people, one line per reason and one per example (Chinese)."""
    lines = []
    for r in quality.get("reasons", []):
        lines.append(f"  隔离原因 {r['code']}（{r['label']}）：{r['count']} 行")
        for ex in r["examples"]:
            where = f"{ex['ref']}" + (f" 字段 {ex['field']}" if ex.get("field") else "")
            lines.append(f"    例：{where}" + (f" — {ex['detail']}" if ex.get("detail") else ""))
    return lines
