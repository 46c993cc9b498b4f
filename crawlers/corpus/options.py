"""What a corpus looks like, in one place: span, proportions, resubmission rate.

The defaults describe a large Chinese 12345 centre: telephone dominant, online channels growing,
most callers named, a few anonymous or companies; housing and city management take the largest
shares of work orders. Department weights are keyed by the shipped configuration's names; a
department the table does not know gets a weight from its position (see ``department_weights``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from suqiu.config import Config

# a department with fewer real sentences is written by the grammar: recombining a few hundred
# sentences into thousands of records would make unrelated records near-duplicates of each other
MIN_REAL_SENTENCES = 1500
DEPARTMENT_WEIGHTS: dict[str, float] = {
    "住房和城乡建设局": 0.24, "城市管理局": 0.17, "人力资源和社会保障局": 0.13, "市场监督管理局": 0.13,
    "交通运输局": 0.10, "生态环境局": 0.10, "教育局": 0.07, "卫生健康委员会": 0.06,
}
CHANNELS: tuple[tuple[str, float], ...] = (
    ("电话", 0.62), ("微信", 0.12), ("网站", 0.10), ("APP", 0.09), ("短信", 0.03), ("邮件", 0.02),
    ("领导信箱", 0.02),
)
REQUESTER_TYPES: tuple[tuple[str, float], ...] = (("individual", 0.86), ("anonymous", 0.09), ("enterprise", 0.05))
# 诉求类型 as a 12345 export writes it, and how often the kind of demand is written that way
KIND_LABELS: dict[str, str] = {
    "complaint": "投诉", "question": "咨询", "suggestion": "建议", "help": "求助", "report": "举报", "praise": "表扬",
}


@dataclass(frozen=True)
class CorpusOptions:
    """Knobs of one corpus; every default is what the benchmarks use."""

    start: date = date(2024, 1, 1)
    days: int = 731                      # two whole years (2024 is a leap year)
    dup_share: float = 0.075             # share of records that resubmit an earlier demand
    max_gap_days: int = 40               # a resubmission comes 1 … this many days after the original
    length_median: float = 200.0         # content characters (the Teddy messages: ~190–240)
    length_sigma: float = 1.0            # lognormal spread: p90 ≈ 3.6 × median, as in the real messages
    min_length: int = 40
    max_length: int = 6000
    phone_share: float = 0.05            # contents that give a (fake) mobile number to call back
    category_share: float = 0.45         # 诉求类型 given as the department-level category …
    kind_label_share: float = 0.35       # … or as the kind (投诉/咨询/…); else empty
    department_missing_share: float = 0.08   # routed work orders whose 承办部门 cell is empty
    department_alias_share: float = 0.10     # … or holds an alias (住建局) instead of the full name
    address_share: float = 0.85
    min_real_sentences: int = MIN_REAL_SENTENCES
    id_prefix: str = "GD"
    channels: tuple[tuple[str, float], ...] = CHANNELS
    requester_types: tuple[tuple[str, float], ...] = REQUESTER_TYPES
    department_table: dict[str, float] = field(default_factory=lambda: dict(DEPARTMENT_WEIGHTS))

    @property
    def end(self) -> date:
        """The export date: work orders are as of the day after the span."""
        return self.start + timedelta(days=self.days)


def department_weights(config: Config, options: CorpusOptions) -> dict[str, float]:
    """Weight of each configured department: the table's where named, else a Zipf share by position."""
    known = [w for w in options.department_table.values() if w > 0]
    base = sorted(known)[len(known) // 2] if known else 0.1
    out: dict[str, float] = {}
    for i, dept in enumerate(config.departments):
        out[dept.name] = options.department_table.get(dept.name, base * 1.6 / (1 + 0.35 * i))
    return out


def district_weights(config: Config) -> dict[str, float]:
    """Bigger gazetteer entries stand for bigger districts; earlier ones (the centre) a little more."""
    return {d.name: (1 + len(d.streets) + len(d.communities) + len(d.roads) + len(d.estates)) / (1 + 0.12 * i)
            for i, d in enumerate(config.districts)}
