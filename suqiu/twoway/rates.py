"""The three rates (三率) of 12345 接诉即办, per department and per week, and their composite score.

- 响应率 (response): of the demands routed to a department while open, the share it signed for
  (签收) within the signing limit (``suqiu.deadlines.sign_due_at``; an answer given before signing
  counts as the signature). A demand still unsigned before its signing limit is not counted yet;
  one past it unsigned counts as late.
- 解决率 (resolution): of the demands the office called back (回访), the share found solved.
- 满意率 (satisfaction): of the demands with a satisfaction answer (the callback's, or a source's
  own 满意度 on import), the share satisfied (``suqiu.twoway.tracking.satisfied``).

A rate counts only from ``tracking.min_count`` demands in its base (else 样本不足, no value ranks it),
and the composite (综合得分) is the weighted sum of the three (``tracking.rate_weights``, 10/45/45 by
default, as Beijing weighs them) only when all three count. Weeks are the weeks the demands were
received in (``suqiu.weeks.Week``), so a week's figures settle as its demands are signed,
answered and called back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from suqiu.config import Config
from suqiu.deadlines import sign_due_at
from suqiu.disclosure import DEPARTMENT_LEVELS
from suqiu.store import Store, now_local
from suqiu.twoway.tracking import satisfied
from suqiu.weeks import Week

RATES = ("response", "resolution", "satisfaction")
RATE_NAMES = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率", "composite": "综合得分"}


@dataclass
class Rates:
    department: str
    week: str | None = None
    response_base: int = 0       # routed while open, signed or past the signing limit
    signed_on_time: int = 0
    called_back: int = 0
    solved: int = 0
    rated: int = 0
    satisfied: int = 0
    min_count: int = 1
    weights: tuple[float, float, float] = (0.1, 0.45, 0.45)

    def _rate(self, num: int, base: int) -> float | None:
        return num / base if base else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.signed_on_time, self.response_base)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.solved, self.called_back)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    @property
    def enough(self) -> dict[str, bool]:
        return {"response": self.response_base >= self.min_count, "resolution": self.called_back >= self.min_count,
                "satisfaction": self.rated >= self.min_count}

    @property
    def composite(self) -> float | None:
        """The weighted score (0–100) when all three rates rest on enough demands."""
        if not all(self.enough.values()):
            return None
        values = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        return 100 * sum(w * (v or 0.0) for w, v in zip(self.weights, values)) / sum(self.weights)

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "weights"}
        for key in ("response_rate", "resolution_rate", "satisfaction_rate", "composite"):
            value = getattr(self, key)
            d[key] = None if value is None else round(value, 4)
        d["enough"] = self.enough
        return d


def _new(config: Config, department: str, week: str | None) -> Rates:
    w = config.tracking.rate_weights
    return Rates(department, week, min_count=config.tracking.min_count,
                 weights=(w.get("response", 0.1), w.get("resolution", 0.45), w.get("satisfaction", 0.45)))


def add_row(config: Config, r: Rates, row: dict[str, Any], now: datetime) -> None:
    """Count one demand (a ``Store.owned_rows`` row) into ``r``; an office-only one (分级) is not the
    department's to sign or answer and never counts."""
    if row.get("publication") not in DEPARTMENT_LEVELS:
        return
    if row.get("routed_at") is not None:
        due = sign_due_at(config, row["routed_at"], row.get("urgency_level"))
        signed = row.get("signed_at")
        if signed is not None or due < now:
            r.response_base += 1
            r.signed_on_time += signed is not None and signed <= due
    if row.get("callback_at") is not None:
        r.called_back += 1
        r.solved += bool(row.get("solved"))
    ok = satisfied(row.get("satisfaction"))
    if ok is not None:
        r.rated += 1
        r.satisfied += ok


def department_rates(store: Store, config: Config, department: str | None = None, now: datetime | None = None,
                     since: datetime | None = None, until: datetime | None = None) -> dict[str, Rates]:
    """The three rates of every configured department (or one) over demands received in [since, until)."""
    now = now or now_local()
    names = [department] if department else [d.name for d in config.departments]
    out = {n: _new(config, n, None) for n in names}
    for row in store.owned_rows(config, department, since=since):
        r = out.get(row["department"])
        if r is None or (since is not None and row["received_at"] < since) or (until and row["received_at"] >= until):
            continue
        add_row(config, r, row, now)
    return out


def weekly_rates(store: Store, config: Config, weeks: list[Week], department: str | None = None,
                 now: datetime | None = None) -> dict[str, dict[str, Rates]]:
    """{week label: {department: Rates}} for each of ``weeks`` (by the week a demand was received)."""
    now = now or now_local()
    names = [department] if department else [d.name for d in config.departments]
    out = {str(w): {n: _new(config, n, str(w)) for n in names} for w in weeks}
    for row in store.owned_rows(config, department, since=min((w.start for w in weeks), default=None)):
        week = str(Week.of(row["received_at"]))
        r = out.get(week, {}).get(row["department"])
        if r is not None:
            add_row(config, r, row, now)
    return out


def ranked(rates: dict[str, Rates]) -> list[Rates]:
    """Departments by composite score, best first; those without one (样本不足) last, by name."""
    return sorted(rates.values(), key=lambda r: (r.composite is None, -(r.composite or 0), r.department))
