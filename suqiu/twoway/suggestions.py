"""The router's best suggestions for a demand in triage, each with its reasons (for one-click 分派).

The classifier stores its top candidates (``analysis.route_candidates``: department and score).
Reasons are made readable here: the model's probability (or the rule's share of keywords), the
department's configured keywords found in the demand's masked text, and its category when the
source's category is one of the department's. A demand the classifier has not ranked gets the
departments whose keywords it mentions most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from suqiu.config import Config

MAX_SUGGESTIONS = 3


@dataclass
class Suggestion:
    department: str
    score: float | None
    reasons: list[str] = field(default_factory=list)


def _keyword_hits(config: Config, text: str) -> dict[str, list[str]]:
    return {d.name: [k for k in d.keywords if k and k in text] for d in config.departments}


def suggestions(config: Config, text: str, category: str | None, candidates: list[dict[str, Any]] | None,
                route_reason: str | None, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Up to ``limit`` departments, best first, each with why it is suggested (Chinese)."""
    hits = _keyword_hits(config, text or "")
    ranked: list[tuple[str, float | None]] = []
    for c in candidates or []:
        dept = config.department(str(c.get("department") or ""))
        if dept is not None and dept.name not in {d for d, _ in ranked}:
            ranked.append((dept.name, c.get("score")))
    if not ranked:
        by_hits = sorted((d for d in hits if hits[d]), key=lambda d: -len(hits[d]))
        ranked = [(d, None) for d in by_hits]
    out = []
    for name, score in ranked[:limit]:
        reasons = []
        if score is not None:
            what = "规则关键词占比" if route_reason == "rule" else "模型判断概率"
            reasons.append(f"{what} {float(score) * 100:.0f}%")
        if hits.get(name):
            reasons.append("含本部门关键词：" + "、".join(hits[name][:5]))
        dept = config.department(name)
        if category and dept is not None and category in dept.categories:
            reasons.append(f"来源分类「{category}」属本部门")
        out.append(Suggestion(name, None if score is None else float(score), reasons or ["模型候选"]))
    return out
