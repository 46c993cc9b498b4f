"""Urgency of a demand: a level (low, medium, high, critical) and the reasons, each with its words.

Rules plus a few features. Each ``Flag`` is a family of trigger phrases (safety hazards, health,
self-harm, mass incidents, …); some need a second condition found nearby: utilities count as urgent
when they have been cut for days (停水三天, 断电一周), unpaid wages when a holiday is near (春节前,
年关). Negated mentions (没有安全隐患, 无人受伤) do not raise a flag. Features add to the level:
a repeated complaint, many people affected, an explicit 紧急. Every reason is rendered as
``"<标签>: <words>"`` (for example ``"安全隐患: 燃气泄漏、漏气"``) so readers see what raised it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

LEVELS = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Flag:
    code: str
    label: str                      # shown to users
    level: str                      # the level this flag raises a demand to
    terms: tuple[str, ...]
    # when set, a term counts only with one of these within ``window`` characters
    context: tuple[str, ...] = ()
    context_re: str | None = None
    window: int = 30


_DAYS_RE = r"(?:[0-9一二两三四五六七八九十几多半]+|好几|连续[0-9一二两三四五六七八九十几]*)\s*(?:天|日|周|星期|个星期|个月|晚|夜)|多日|数日|连日|至今"

FLAGS: tuple[Flag, ...] = (
    Flag("self_harm", "轻生风险", "critical",
         ("跳楼", "自杀", "轻生", "不想活", "活不下去", "寻死", "喝农药", "以死相逼", "以死明志", "割腕", "同归于尽",
          "走投无路", "结束生命")),
    Flag("mass_incident", "群体性事件风险", "critical",
         ("集体上访", "集体维权", "群体上访", "群体性", "聚集上访", "聚集维权", "堵路", "堵门", "拉横幅", "拉条幅", "围堵", "静坐",
          "游行", "集体讨薪", "聚众", "打砸")),
    Flag("safety", "安全隐患", "high",
         ("燃气泄漏", "煤气泄漏", "漏气", "火灾", "起火", "着火", "失火", "爆炸", "坍塌", "倒塌", "塌陷", "危房",
          "墙体开裂", "裂缝", "触电", "漏电", "电线裸露", "井盖缺失", "井盖丢失", "没有井盖", "高空坠物", "坠落",
          "随时可能", "摇摇欲坠", "溺水", "安全隐患", "危险")),
    Flag("health", "健康危害", "high",
         ("食物中毒", "中毒", "传染", "疫情", "感染", "发烧", "急救", "病危", "抢救", "呼吸困难", "昏迷", "受伤",
          "流血", "咬伤", "狂犬", "过期药", "假药", "水质发黄", "自来水发臭", "致癌", "透析", "救命")),
    Flag("utilities", "停水停电停气多日", "high",
         ("停水", "断水", "没水", "没有水", "停电", "断电", "没电", "没有电", "停气", "断气", "没有燃气", "停暖",
          "没有暖气", "不供暖"),
         context_re=_DAYS_RE, window=20),
    Flag("wages_holiday", "节前欠薪", "high",
         ("拖欠工资", "欠薪", "讨薪", "工资没发", "工资未发", "不发工资", "拿不到工资", "工钱", "血汗钱", "农民工工资"),
         context=("春节", "过年", "年关", "年底", "年前", "节前", "中秋", "国庆", "元旦", "端午", "回家过年", "节日"),
         window=60),
)
# a negator just before a term cancels it (没有安全隐患, 无人受伤, 未发生火灾)
_NEGATED_RE = re.compile(r"(?:没有|没|无|未|不存在|不是|并非|排除)(?:发生|出现|造成|人员|人)?$")
_URGENT_WORDS = ("紧急", "十万火急", "刻不容缓", "迫在眉睫", "请尽快", "马上处理", "立即处理", "求助")
_REPEAT_RE = re.compile(r"多次反映|反复反映|多次投诉|屡次|再次反映|又一次|第[二三四五六七八九十0-9]+次")
_MANY_PEOPLE_RE = re.compile(r"(?:[0-9]{2,}|几十|上百|数百|几百|上千|数千)\s*(?:多|余)?\s*(?:名|个|位|户|人|家)")


@dataclass(frozen=True)
class UrgencyResult:
    level: str
    reasons: tuple[str, ...] = ()          # "<标签>: <words>"
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code → the words that raised it


def _bump(level: str, steps: int = 1) -> str:
    return LEVELS[min(LEVELS.index(level) + steps, len(LEVELS) - 1)]


class UrgencyRater:
    """Rates a text's urgency from ``flags``; swap the flags for a city's own list."""

    def __init__(self, flags: Sequence[Flag] = FLAGS) -> None:
        self.flags = tuple(flags)
        self._patterns = [re.compile("|".join(re.escape(t) for t in sorted(f.terms, key=len, reverse=True)))
                          for f in self.flags]
        self._contexts = [re.compile(f.context_re) if f.context_re else
                          (re.compile("|".join(map(re.escape, f.context))) if f.context else None)
                          for f in self.flags]

    def _flag_words(self, flag: Flag, pattern: re.Pattern[str], context: re.Pattern[str] | None,
                    text: str) -> tuple[str, ...]:
        words: list[str] = []
        for m in pattern.finditer(text):
            if _NEGATED_RE.search(text[max(0, m.start() - 4):m.start()]):
                continue
            if context is not None:
                near = text[max(0, m.start() - flag.window):m.end() + flag.window]
                c = context.search(near)
                if not c:
                    continue
                words += [m.group(0), c.group(0)]
            else:
                words.append(m.group(0))
        return tuple(dict.fromkeys(words))

    def rate(self, text: str) -> UrgencyResult:
        text = re.sub(r"\s+", "", text or "")
        level = "low"
        flags: dict[str, tuple[str, ...]] = {}
        reasons: list[str] = []
        for flag, pattern, context in zip(self.flags, self._patterns, self._contexts):
            words = self._flag_words(flag, pattern, context, text)
            if words:
                flags[flag.code] = words
                reasons.append(f"{flag.label}: {'、'.join(words)}")
                if LEVELS.index(flag.level) > LEVELS.index(level):
                    level = flag.level
        urgent = tuple(w for w in _URGENT_WORDS if w in text)
        repeat = _REPEAT_RE.search(text)
        many = _MANY_PEOPLE_RE.search(text)
        if urgent:
            flags["urgent_words"] = urgent
            reasons.append(f"紧急诉求: {'、'.join(urgent)}")
        if many:
            flags["many_people"] = (many.group(0),)
            reasons.append(f"涉及人数多: {many.group(0)}")
        if repeat:
            flags["repeated"] = (repeat.group(0),)
            reasons.append(f"重复反映: {repeat.group(0)}")
        if level == "low" and (urgent or many or repeat):
            level = "medium"   # pressing or widespread, but no hazard named
        elif level == "high" and many and ("safety" in flags or "health" in flags):
            level = _bump(level)  # a hazard to many people
        return UrgencyResult(level, tuple(reasons), flags)

    def rate_many(self, texts: Sequence[str]) -> list[UrgencyResult]:
        return [self.rate(t) for t in texts]
