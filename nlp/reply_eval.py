"""How well the reply scorer agrees with people's labels, on any table of replies.

``evaluate_replies`` takes rows as dicts (from any reader), scores each with
``ReplyQualityScorer`` and compares each labelled part with its column: a 0/1 column gives a
ROC-AUC, an ordinal column (more than two distinct numbers) a Spearman rank correlation. Rows
whose part is unknown (timeliness without both times, relevance without a demand) are left out of
that part's figure and counted in its ``n``. Errors are ``ReplyEvalError`` with a Chinese message
naming the column or row to fix.

Metrics are computed here in pure Python with mid-ranks for ties (the Mann–Whitney form of AUC),
so small hand-made tables have exact expected values.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from nlp.reply_quality import ReplyQualityScorer, ReplyScore

PARTS = ("completeness", "explanation", "relevance", "timeliness", "score")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                 "%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S")
_EXCEL_EPOCH = datetime(1899, 12, 30)


class ReplyEvalError(ValueError):
    """The table cannot be evaluated as asked; the message (Chinese) names the column or row."""


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Chance a random positive outscores a random negative (ties count half)."""
    pos = sum(1 for v in labels if v)
    neg = len(labels) - pos
    if not pos or not neg:
        raise ValueError("ROC-AUC needs both positive and negative labels")
    r = ranks(scores)
    rank_sum = sum(rv for rv, v in zip(r, labels) if v)
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Pearson correlation of the mid-ranks; None when either side is constant."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} scores but {len(b)} labels")
    ra, rb = ranks(a), ranks(b)
    n = len(ra)
    if n < 2:
        return None
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    if va == 0 or vb == 0:
        return None
    return cov / math.sqrt(va * vb)


def parse_time(value: Any) -> datetime | None:
    """A datetime from a cell: datetime objects, common text forms, or Excel serial days; else None."""
    if isinstance(value, datetime):
        return value
    text = " ".join(str(value or "").split())
    if not text:
        return None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _EXCEL_EPOCH + timedelta(days=float(text))
    return None


def _label(value: Any, column: str, row_no: int) -> float:
    if isinstance(value, bool):
        return float(value)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ReplyEvalError(f"第 {row_no} 行的标签列「{column}」为空")
    try:
        number = float(text)
    except ValueError:
        raise ReplyEvalError(f"第 {row_no} 行的标签列「{column}」无法解析为数字：{text[:20]!r}") from None
    if math.isnan(number) or math.isinf(number):
        raise ReplyEvalError(f"第 {row_no} 行的标签列「{column}」不是有效数字：{text[:20]!r}")
    return number


def _check_columns(row: Mapping[str, Any], row_no: int, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in row:
            raise ReplyEvalError(f"缺少列「{col}」（第 {row_no} 行）；已有的列：{'、'.join(map(str, row))}")


def _part_figure(part: str, column: str, values: list[float | None], labels: list[float]) -> dict[str, Any]:
    pairs = [(v, y) for v, y in zip(values, labels) if v is not None]
    distinct = sorted(set(labels))
    if len(distinct) < 2:
        raise ReplyEvalError(f"标签列「{column}」只有一个取值（{distinct[0] if distinct else '无'}），无法评估")
    if len(distinct) == 2:
        if distinct != [0.0, 1.0]:
            raise ReplyEvalError(f"标签列「{column}」只有两个取值 {distinct}：二分类标签须为 0/1")
        ys = [int(y) for _, y in pairs]
        if len(set(ys)) < 2:
            raise ReplyEvalError(f"「{part}」能打分的行里，标签列「{column}」只有一类，无法计算 AUC")
        return {"auc": roc_auc([v for v, _ in pairs], ys), "n": len(pairs)}
    if len(pairs) < 2:
        raise ReplyEvalError(f"「{part}」能打分的行不足两行，无法计算 Spearman")
    return {"spearman": spearman([v for v, _ in pairs], [y for _, y in pairs]), "n": len(pairs)}


def _value(s: ReplyScore, part: str) -> float | None:
    return s.score if part == "score" else getattr(s, part)


def evaluate_replies(rows: Iterable[Mapping[str, Any]], demand_col: str | None, reply_col: str,
                     labels: Mapping[str, str], received_col: str | None = None,
                     replied_col: str | None = None, scorer: ReplyQualityScorer | None = None) -> dict[str, Any]:
    """Per labelled part ``{"auc": x, "n": k}`` or ``{"spearman": x, "n": k}``, plus ``n`` and ``rows_per_s``.

    Without ``demand_col`` (replies judged on their own) relevance is unknown, so labelling it is an error."""
    unknown = [p for p in labels if p not in PARTS]
    if unknown:
        raise ReplyEvalError(f"未知的评估部分：{'、'.join(unknown)}；可选：{'、'.join(PARTS)}")
    if not labels:
        raise ReplyEvalError("未指定任何标签列")
    if demand_col is None and "relevance" in labels:
        raise ReplyEvalError("评估「relevance」（答复是否切题）需要诉求列：请给出 --demand-col")
    scorer = scorer or ReplyQualityScorer()
    needed = [c for c in (demand_col, reply_col, *labels.values(), received_col, replied_col) if c]
    values: dict[str, list[float | None]] = {p: [] for p in labels}
    truth: dict[str, list[float]] = {p: [] for p in labels}
    n, t0 = 0, time.perf_counter()
    for row_no, row in enumerate(rows, start=1):
        _check_columns(row, row_no, needed)
        gold = {p: _label(row[col], col, row_no) for p, col in labels.items()}
        s = scorer.score(str(row[demand_col] or "") if demand_col else "", str(row[reply_col] or ""),
                         parse_time(row[received_col]) if received_col else None,
                         parse_time(row[replied_col]) if replied_col else None)
        for p in labels:
            values[p].append(_value(s, p))
            truth[p].append(gold[p])
        n += 1
    elapsed = time.perf_counter() - t0
    if not n:
        raise ReplyEvalError("没有可评估的行")
    out: dict[str, Any] = {p: _part_figure(p, labels[p], values[p], truth[p]) for p in labels}
    out["n"] = n
    out["rows_per_s"] = round(n / elapsed, 1) if elapsed > 0 else None
    return out
