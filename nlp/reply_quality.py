"""Reply quality: how well a department's answer serves the citizen, as a 0–1 score with reasons.

Four parts, each 0–1, each with reasons in Chinese:

- **relevance**: the reply speaks to what was asked — the share of the caller's keywords it repeats,
  or, without keywords, the demand's salient character bigrams it shares and how many of the
  demand's points (its sentences) it touches; unknown (None) when the demand is empty;
- **completeness**: the chance people would judge the reply complete (their explainability level ≥ 2),
  and **explanation**: people's expected explainability level / 4 — both from one multinomial
  model calibrated on 283 replies people scored 0–4 (``nlp.reply_model``; cues in
  ``nlp.reply_features``: investigation, findings, measures, result, next step, time, contact,
  stated reasons and rules, point-by-point answers, and the marks of hollow replies);
- **timeliness**: replied within the time limit scores 1, decaying to 0 at three times the limit;
  unknown when either time is missing.

Sharp edge: the weights follow people's scores, and people scored replies that mostly recite rules
(《…》第…条, 规定：“…”) low — on that data a citation lowers explanation unless the reply also
speaks to the case, and the reasons say so (答复以引用文件为主，未结合个案解释).

The overall score is the weighted mean of the known parts. A reply that is only a greeting or an
acknowledgement (留言已收悉) scores 0 without consulting the model. The shipped weights are read
on first use; pass ``model`` to use others.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nlp.reply_features import CUES, HEAD_FEATURES, SHORT_CHARS, clean_reply, reply_features
from nlp.reply_model import ReplyModel, shipped_model

_POINT_SPLIT = re.compile(r"[。！？!?；;\n]+")
# characters too common to make a bigram telling (particles, pronouns, courtesy)
_WEAK_CHARS = "的了是在我你他她它们有这那和与及对也都就还很吗呢吧啊请您好谢感一个不人为以将把被"
# a reply made only of these pieces is a greeting or an acknowledgement (one alternation, no nested repeats)
_BOILERPLATE = re.compile(r"(?:网友|您好|你好|尊敬的|亲爱的|(?:您的)?(?:留言|来信|帖文)?已?收悉|感谢|谢谢"
                          r"|[:：！!，,。\s“”\"A-Za-z0-9])*")
_BOILERPLATE_MAX = 40           # longer replies are never tested against it
_CUE_OFFSET = len(HEAD_FEATURES)  # reply_features: the head figures, then one value per cue
_QUOTED_INDEX = HEAD_FEATURES.index("quoted_share")
_HOLLOW_INDEX = HEAD_FEATURES.index("hollow")
_CHARS_INDEX = HEAD_FEATURES.index("log_chars")
_EPS = 0.01                     # effects under one percentage point of a part are not worth a reason

DEFAULT_WEIGHTS = {"relevance": 0.2, "completeness": 0.3, "explanation": 0.3, "timeliness": 0.2}


@dataclass(frozen=True)
class ReplyScore:
    """The score and its parts; ``reasons`` say in Chinese what lowered or raised it."""

    score: float
    relevance: float | None
    completeness: float
    explanation: float
    timeliness: float | None
    response_days: float | None
    reasons: list[str] = field(default_factory=list)
    reasons_by_part: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def r(v: float | None, nd: int = 3) -> float | None:
            return None if v is None else round(v, nd)
        return {"score": r(self.score), "relevance": r(self.relevance), "completeness": r(self.completeness),
                "explanation": r(self.explanation), "timeliness": r(self.timeliness),
                "response_days": r(self.response_days, 2), "reasons": list(self.reasons),
                "reasons_by_part": {k: list(v) for k, v in self.reasons_by_part.items()}}


def _strong_class(weak: str) -> str:
    """A character class of the CJK block without the weak characters, as code-point ranges."""
    spans, start = [], 0x4E00
    for cp in sorted({ord(c) for c in weak}):
        if cp > start:
            spans.append(f"\\u{start:04x}-\\u{cp - 1:04x}")
        start = cp + 1
    spans.append(f"\\u{start:04x}-\\u9fff")
    return "[" + "".join(spans) + "]"


_STRONG_RUN = re.compile(_strong_class(_WEAK_CHARS) + "{2,}")


def salient_bigrams(text: str) -> set[str]:
    """Chinese character bigrams of a text, without those holding a weak character."""
    return {run[i:i + 2] for run in _STRONG_RUN.findall(text or "") for i in range(len(run) - 1)}


def _cue_reasons(x: Sequence[float], effects: Sequence[float], limit: int) -> list[str]:
    """The strongest cues for and against a part, worded from the cue table.

    Effects under ``_EPS`` are left out, unless nothing passes: then the single strongest one is
    said, so every part has at least one reason beyond its level.
    """
    pro: list[tuple[float, str]] = []
    con: list[tuple[float, str]] = []
    for cue, xv, e in zip(CUES, x[_CUE_OFFSET:], effects[_CUE_OFFSET:]):
        if xv and e > 0 and cue.found:
            pro.append((e, "答复" + cue.found))
        elif xv and e < 0 and cue.against:
            con.append((-e, "答复" + cue.against))
        elif not xv and e < 0 and cue.missing:
            con.append((-e, "答复" + cue.missing))
    if x[_HOLLOW_INDEX] and effects[_HOLLOW_INDEX] < 0:
        con.append((-effects[_HOLLOW_INDEX], "答复没有调查、措施、结果、依据或原因等实质内容"))
    if x[_QUOTED_INDEX] >= 0.2 and effects[_QUOTED_INDEX] < 0:
        con.append((-effects[_QUOTED_INDEX], f"答复引号内的引文占 {x[_QUOTED_INDEX]:.0%}，照录多于解释"))
    pro.sort(key=lambda t: -t[0])
    con.sort(key=lambda t: -t[0])
    out = [t for e, t in pro[:limit] if e >= _EPS] + [t for e, t in con[:limit] if e >= _EPS]
    if not out and (pro or con):
        out = [max(pro[:1] + con[:1])[1]]
    return out


class ReplyQualityScorer:
    """Scores one (demand, reply) pair; swap the weights of the mean or the calibrated model."""

    def __init__(self, weights: dict[str, float] | None = None, model: ReplyModel | None = None,
                 default_time_limit: timedelta = timedelta(days=15), reasons_per_side: int = 2) -> None:
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        unknown = set(self.weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown weight(s): {sorted(unknown)}")
        self._model = model
        self.default_time_limit = default_time_limit
        self.reasons_per_side = reasons_per_side

    @property
    def model(self) -> ReplyModel:
        if self._model is None:
            self._model = shipped_model()
        return self._model

    # ------------------------------------------------------------------ parts
    def relevance(self, demand: str, reply: str, keywords: Sequence[str] | None = None) -> tuple[float | None, list[str]]:
        if keywords:
            kws = [k for k in dict.fromkeys(keywords) if k and len(k) >= 2]
            if kws:
                hit = [k for k in kws if k in reply]
                missed = [k for k in kws if k not in reply]
                notes = [f"答复提及诉求关键词 {len(hit)}/{len(kws)} 个"]
                if missed:
                    notes.append(f"答复未提及：{'、'.join(missed[:5])}")
                return min(1.0, len(hit) / len(kws) / 0.6), notes
        sentences = [salient_bigrams(s) for s in _POINT_SPLIT.split(demand)]
        d = set().union(*sentences)
        if len(d) < 2:
            return None, ["诉求文本为空或过短，未评相关性"]
        r = salient_bigrams(reply)
        shared = d & r
        # the reply need not echo every word: a third of a long demand's bigrams is full marks
        overlap = min(1.0, len(shared) / max(4.0, min(len(d), 60) / 3))
        points = [p for p in sentences if len(p) >= 3]
        covered = sum(1 for p in points if len(p & r) >= 2)
        notes = [f"答复与诉求共有词语 {len(shared)} 个"]
        if not points:
            return overlap, notes
        notes.append(f"答复回应了诉求中 {covered}/{len(points)} 处要点")
        return 0.5 * overlap + 0.5 * covered / len(points), notes

    def _calibrated(self, reply: str) -> tuple[float, list[str], float, list[str]]:
        x = reply_features(reply)
        p = self.model.predict(x)
        e_expl, e_comp = self.model.effects(x, p.probabilities)
        comp_notes = [f"按人工评分口径，判为完整答复的概率约 {p.completeness:.0%}"]
        n_chars = round(math.expm1(x[_CHARS_INDEX]))
        if n_chars < SHORT_CHARS:
            comp_notes.append(f"答复过短（{n_chars} 字），难以交代办理情况")
        comp_notes += _cue_reasons(x, e_comp, self.reasons_per_side)
        expl_notes = [f"解释程度约 {p.expected_level:.1f}/4（按人工评分标定）"]
        expl_notes += _cue_reasons(x, e_expl, self.reasons_per_side)
        return p.completeness, comp_notes, p.explanation, expl_notes

    def completeness(self, reply: str) -> tuple[float, list[str]]:
        value, notes, _, _ = self._calibrated(clean_reply(reply))
        return value, notes

    def explanation(self, reply: str) -> tuple[float, list[str]]:
        _, _, value, notes = self._calibrated(clean_reply(reply))
        return value, notes

    def timeliness(self, received_at: datetime | None, replied_at: datetime | None,
                   time_limit: timedelta | None) -> tuple[float | None, float | None, str]:
        if received_at is None or replied_at is None:
            return None, None, "缺少诉求或答复时间，未评时效"
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
        reply = clean_reply(reply_text)
        if not reply:
            return ReplyScore(0.0, 0.0, 0.0, 0.0, None, None, ["无答复"], {p: ["无答复"] for p in DEFAULT_WEIGHTS})
        t, days, t_note = self.timeliness(received_at, replied_at, time_limit)
        if len(reply) <= _BOILERPLATE_MAX and _BOILERPLATE.fullmatch(reply):
            why = "答复只有客套话，没有实质内容"
            by_part = {"relevance": [why], "completeness": [why], "explanation": [why], "timeliness": [t_note]}
            return ReplyScore(0.0, 0.0, 0.0, 0.0, t, days, [why, t_note], by_part)
        rel, rel_notes = self.relevance(demand_text or "", reply, keywords)
        comp, comp_notes, expl, expl_notes = self._calibrated(reply)
        parts = {"relevance": rel, "completeness": comp, "explanation": expl, "timeliness": t}
        used = {k: w for k, w in self.weights.items() if parts[k] is not None and w > 0}
        total_w = sum(used.values()) or 1.0
        score = sum(parts[k] * w for k, w in used.items()) / total_w  # type: ignore[operator]
        by_part = {"relevance": rel_notes, "completeness": comp_notes, "explanation": expl_notes,
                   "timeliness": [t_note]}
        reasons = [r for notes in by_part.values() for r in notes]
        return ReplyScore(min(1.0, max(0.0, score)), rel, comp, expl, t, days, reasons, by_part)
