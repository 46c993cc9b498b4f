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


def _named(config: Config, text: str) -> list[str]:
    """Configured departments a text names (by name or alias), in order of appearance."""
    found = []
    for d in config.departments:
        at = min((text.find(n) for n in (d.name, *d.aliases) if n and n in text), default=-1)
        if at >= 0:
            found.append((at, d.name))
    return [name for _, name in sorted(found)]


def suggestions(config: Config, text: str, category: str | None, candidates: list[dict[str, Any]] | None,
                route_reason: str | None, limit: int = MAX_SUGGESTIONS, exclude: tuple[str, ...] = (),
                return_reason: str | None = None) -> list[Suggestion]:
    """Up to ``limit`` departments, best first, each with why it is suggested (Chinese).

    A department that returned the demand (``exclude``) is not suggested again; one its return
    reason names comes first. The classifier's candidates follow, then departments whose keywords
    the text mentions, until there are ``limit``."""
    hits = _keyword_hits(config, text or "")
    ranked: list[tuple[str, float | None]] = [(n, None) for n in _named(config, return_reason or "")]
    for c in candidates or []:
        dept = config.department(str(c.get("department") or ""))
        if dept is not None:
            ranked.append((dept.name, c.get("score")))
    ranked += [(d, None) for d in sorted((d for d in hits if hits[d]), key=lambda d: -len(hits[d]))]
    seen: set[str] = set(exclude)
    out = []
    for name, score in ranked:
        if name in seen:
            continue
        seen.add(name)
        out.append(_explain(config, name, score, route_reason, hits, category, name in _named(config, return_reason or "")))
        if len(out) == limit:
            break
    return out


def _explain(config: Config, name: str, score: float | None, route_reason: str | None, hits: dict[str, list[str]],
             category: str | None, named_on_return: bool) -> Suggestion:
    reasons = ["退回原因中提及"] if named_on_return else []
    if score is not None:
        what = "规则关键词占比" if route_reason == "rule" else "模型判断概率"
        reasons.append(f"{what} {float(score) * 100:.0f}%")
    if hits.get(name):
        reasons.append("含本部门关键词：" + "、".join(hits[name][:5]))
    dept = config.department(name)
    if category and dept is not None and category in dept.categories:
        reasons.append(f"来源分类「{category}」属本部门")
    return Suggestion(name, None if score is None else float(score), reasons or ["模型候选"])
