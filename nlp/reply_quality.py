"""Reply quality: how well a department's answer serves the citizen, as a 0–1 score with reasons.

Four parts, each 0–1:

- **relevance**: the reply talks about what was asked — share of the demand's salient character
  bigrams (or of its keywords, when the caller has them) that the reply repeats;
- **completeness**: the reply states measures taken, a result or status, and a time (a date, a
  deadline, "已于…"), and is long enough to carry them; a bare "留言已收悉" scores near zero;
- **explanation**: the reply gives a basis — a cited policy or regulation (《…》, 条例, 规定, 第N条)
  or a stated reason (由于, 根据, 原因);
- **timeliness**: replied within the time limit scores 1, decaying to 0 at three times the limit;
  unknown when either time is missing, and then left out of the weighted mean.

Pure and deterministic: no I/O, no model; cue lists are constructor arguments with defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_CJK = re.compile(r"[\u4e00-\u9fff]+")
# characters too common to make a bigram telling (particles, pronouns, courtesy)
_WEAK_CHARS = set("的了是在我你他她它们有这那和与及对也都就还很吗呢吧啊请您好谢感一个不人为以将把被")

DEFAULT_MEASURE_CUES: tuple[str, ...] = (
    "核查", "调查", "核实", "现场", "责令", "整改", "督促", "协调", "安排", "处理", "查处", "约谈",
    "维修", "清理", "清运", "拆除", "疏通", "更换", "修复", "巡查", "检查", "执法", "立案", "转交",
    "派员", "组织", "部署", "加强", "落实", "制定", "启动", "开展", "已要求", "已通知", "联系",
)
DEFAULT_RESULT_CUES: tuple[str, ...] = (
    "已完成", "已整改", "已解决", "已恢复", "已清理", "已拆除", "已修复", "已发放", "已办理", "已退还",
    "已答复", "办结", "目前", "现已", "已于", "结果", "已经", "完成", "到位", "恢复正常", "不予", "符合",
    "不符合", "无法", "暂不",
)
DEFAULT_EXPLANATION_CUES: tuple[str, ...] = (
    "根据", "依据", "按照", "规定", "条例", "办法", "政策", "法律", "法规", "文件", "标准", "通知",
    "由于", "因为", "原因", "鉴于", "所以", "因此", "职责", "规划", "意见",
)
DEFAULT_CONTACT_CUES: tuple[str, ...] = ("联系电话", "咨询电话", "联系人", "可拨打", "可致电", "电话")
_TIME_PATTERN = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:底|初|中旬|上旬|下旬)|\d+\s*个?(?:工作日|日|天|周|月)内"
    r"|年底前|月底前|近期|近日|日前|下一步|计划于|预计|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
)
# a cited document counts when its title names a kind of rule (《…条例》, 《…通知》), not a column or a post
_POLICY_PATTERN = re.compile(
    r"《[^》]{0,60}(?:法|条例|规定|办法|通知|意见|细则|标准|规划|方案|决定|规则|制度|政策|纲要|指南|通告|公告|规范|指引)"
    r"(?:（[^》）]{0,20}）)?》|第[一二三四五六七八九十百零\d]+条")
_BOILERPLATE = re.compile(r"^(网友|您好|你好|留言已收悉|感谢|谢谢|[:：！!，,。\s“”\"A-Za-z0-9]+)*$")

DEFAULT_WEIGHTS = {"relevance": 0.3, "completeness": 0.3, "explanation": 0.2, "timeliness": 0.2}


@dataclass(frozen=True)
class ReplyScore:
    """The score and its parts; ``reasons`` say in Chinese what lowered or raised it."""

    score: float
    relevance: float
    completeness: float
    explanation: float
    timeliness: float | None
    response_days: float | None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"score": round(self.score, 3), "relevance": round(self.relevance, 3),
                "completeness": round(self.completeness, 3), "explanation": round(self.explanation, 3),
                "timeliness": None if self.timeliness is None else round(self.timeliness, 3),
                "response_days": None if self.response_days is None else round(self.response_days, 2),
                "reasons": list(self.reasons)}


def salient_bigrams(text: str) -> set[str]:
    """Chinese character bigrams of a text, without those made only of weak characters."""
    out: set[str] = set()
    for run in _CJK.findall(text or ""):
        for i in range(len(run) - 1):
            bg = run[i:i + 2]
            if bg[0] in _WEAK_CHARS and bg[1] in _WEAK_CHARS:
                continue
            if bg[0] in _WEAK_CHARS or bg[1] in _WEAK_CHARS:
                continue
            out.add(bg)
    return out


def _hits(text: str, cues: Iterable[str]) -> list[str]:
    return [c for c in cues if c in text]


class ReplyQualityScorer:
    """Scores one (demand, reply) pair; swap cue lists or weights through the constructor."""

    def __init__(self, weights: dict[str, float] | None = None,
                 measure_cues: Sequence[str] = DEFAULT_MEASURE_CUES,
                 result_cues: Sequence[str] = DEFAULT_RESULT_CUES,
                 explanation_cues: Sequence[str] = DEFAULT_EXPLANATION_CUES,
                 contact_cues: Sequence[str] = DEFAULT_CONTACT_CUES,
                 default_time_limit: timedelta = timedelta(days=15),
                 min_substantive_chars: int = 40) -> None:
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        unknown = set(self.weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown weight(s): {sorted(unknown)}")
        self.measure_cues = tuple(measure_cues)
        self.result_cues = tuple(result_cues)
        self.explanation_cues = tuple(explanation_cues)
        self.contact_cues = tuple(contact_cues)
        self.default_time_limit = default_time_limit
        self.min_substantive_chars = min_substantive_chars

    # ------------------------------------------------------------------ parts
    def relevance(self, demand: str, reply: str, keywords: Sequence[str] | None = None) -> tuple[float, str]:
        if keywords:
            kws = [k for k in dict.fromkeys(keywords) if k and len(k) >= 2]
            if kws:
                hit = [k for k in kws if k in reply]
                share = len(hit) / len(kws)
                return min(1.0, share / 0.6), f"答复提及诉求关键词 {len(hit)}/{len(kws)} 个"
        d, r = salient_bigrams(demand), salient_bigrams(reply)
        if not d:
            return 0.0, "诉求文本过短，无法判断相关性"
        shared = d & r
        # the reply need not echo every word: a third of a long demand's bigrams is full marks
        need = max(4.0, min(len(d), 60) / 3)
        return min(1.0, len(shared) / need), f"答复与诉求共有词语 {len(shared)} 个"

    def completeness(self, reply: str) -> tuple[float, list[str]]:
        notes: list[str] = []
        measures = _hits(reply, self.measure_cues)
        results = _hits(reply, self.result_cues)
        has_time = bool(_TIME_PATTERN.search(reply))
        contact = bool(_hits(reply, self.contact_cues))
        parts = [bool(measures), bool(results), has_time]
        score = 0.3 * parts[0] + 0.3 * parts[1] + 0.25 * parts[2] + 0.15 * contact
        body = len("".join(_CJK.findall(reply)))
        if body < self.min_substantive_chars:
            score *= body / self.min_substantive_chars
            notes.append("答复过短")
        notes.append("说明了处理措施" if measures else "未说明处理措施")
        notes.append("说明了处理结果" if results else "未说明处理结果")
        notes.append("给出了时间" if has_time else "未给出办理时间")
        if contact:
            notes.append("留有联系方式")
        return min(1.0, score), notes

    def explanation(self, reply: str) -> tuple[float, str]:
        policy = _POLICY_PATTERN.findall(reply)
        cues = _hits(reply, self.explanation_cues)
        if policy:
            return 1.0, f"引用了政策或法规（{policy[0]}）"
        if len(cues) >= 2:
            return 0.8, "说明了依据或原因"
        if cues:
            return 0.5, "略有说明依据或原因"
        return 0.0, "未引用政策依据或说明原因"

    def timeliness(self, received_at: datetime | None, replied_at: datetime | None,
                   time_limit: timedelta | None) -> tuple[float | None, float | None, str | None]:
        if received_at is None or replied_at is None:
            return None, None, None
        limit = time_limit or self.default_time_limit
        took = replied_at - received_at
        days = took.total_seconds() / 86400
        if took < timedelta(0):
            return None, days, "答复时间早于诉求时间，时间数据有误"
        if took <= limit:
            return 1.0, days, f"{days:.1f} 天内答复，未超时限"
        over = (took - limit) / limit
        return max(0.0, 1.0 - over / 2), days, f"超出时限 {(took - limit).total_seconds() / 86400:.1f} 天"

    # ------------------------------------------------------------------ whole
    def score(self, demand_text: str, reply_text: str | None, received_at: datetime | None = None,
              replied_at: datetime | None = None, time_limit: timedelta | None = None,
              keywords: Sequence[str] | None = None) -> ReplyScore:
        reply = (reply_text or "").strip()
        if not reply:
            return ReplyScore(0.0, 0.0, 0.0, 0.0, None, None, ["无答复"])
        if _BOILERPLATE.match(reply):
            t, days, t_note = self.timeliness(received_at, replied_at, time_limit)
            reasons = ["答复只有客套话，没有实质内容"] + ([t_note] if t_note else [])
            return ReplyScore(0.0, 0.0, 0.0, 0.0, t, days, reasons)
        rel, rel_note = self.relevance(demand_text or "", reply, keywords)
        comp, comp_notes = self.completeness(reply)
        expl, expl_note = self.explanation(reply)
        t, days, t_note = self.timeliness(received_at, replied_at, time_limit)
        parts = {"relevance": rel, "completeness": comp, "explanation": expl, "timeliness": t}
        used = {k: w for k, w in self.weights.items() if parts[k] is not None and w > 0}
        total_w = sum(used.values()) or 1.0
        score = sum(parts[k] * w for k, w in used.items()) / total_w  # type: ignore[operator]
        reasons = [rel_note, *comp_notes, expl_note] + ([t_note] if t_note else [])
        return ReplyScore(score, rel, comp, expl, t, days, reasons)
