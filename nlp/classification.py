"""分级分类: a record's publication level and sensitivity, from the configuration's rules.

Pure: takes what the record says (source, category, normalized text) and the rules
(``Config.classification`` and the departments' names), and returns ``Levels``. In order:

1. sensitivity, strongest first: a 涉密 cue (``secret``), a 涉稳 cue (``stability``), a 举报件
   (``report``: a report cue such as 举报 followed, within ``report_window`` characters of the same
   clause, by a unit or a person, e.g. 实名举报住建局工作人员; generic phrases such as 有关部门 or
   举报电话 are ignored), or the sensitivity configured for the record's category; else ``normal``.
2. publication: any sensitivity but ``normal`` makes the record ``office_only`` (a 举报件 is
   hidden from the department reported on, which the reasons name when the text names it); a
   category in ``internal_categories`` is ``internal``; a public source (portal boards, reviews)
   or category is ``public``; anything else the configured ``default`` (hotline work orders).

Reasons are short Chinese sentences the office reads on the detail page.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from suqiu.config import ClassificationConfig, Config, Department
from suqiu.labels import SOURCE, label

# the cue lists a configuration that leaves one out gets (suqiu/default_config.toml spells them out)
BUILT_IN: dict[str, list[str]] = {
    "report_cues": ["实名举报", "举报", "检举", "揭发", "控告"],
    "report_targets": [
        "工作人员", "执法人员", "公职人员", "公务员", "村干部", "干部", "领导", "局长", "书记", "主任", "科长",
        "处长", "所长", "队长", "站长", "院长", "校长", "镇长", "乡长", "区长", "县长", "村长", "民警", "警察",
        "辅警", "协警", "城管", "网格员", "法官", "检察官", "委员会", "居委会", "村委会", "街道办", "办事处",
        "办公室", "派出所", "司法所", "税务所", "执法队", "大队", "中队", "政府", "法院", "检察院", "局", "委", "办",
    ],
    "report_ignore": ["有关部门", "相关部门", "职能部门", "主管部门", "举报电话", "举报热线", "举报平台",
                      "举报渠道", "举报途径", "举报方式", "举报奖励", "举报人", "举报后", "举报到", "举报给", "举报至",
                      "各级领导", "上级领导", "尊敬的领导", "领导您好", "领导你好"],
    "stability_cues": [
        "集体上访", "越级上访", "进京上访", "赴京上访", "赴省上访", "群体上访", "群体性事件", "群体事件",
        "集体维权", "聚集维权", "聚众闹事", "聚众上访", "聚众围堵", "聚众冲击", "拉横幅", "拉条幅", "打横幅",
        "维权静坐", "集体静坐", "静坐示威", "游行示威", "上街游行", "集体罢工", "工人罢工", "司机罢工", "围堵政府",
        "扬言自杀", "扬言跳楼", "扬言报复", "扬言自焚", "自焚", "同归于尽", "报复社会",
    ],
    "secret_cues": ["涉密", "国家秘密", "机密文件", "机密级", "绝密", "秘密级", "军事禁区", "军事设施",
                    "保密单位", "内部文件"],
}
# a one-character unit (局, 委, 办) is no unit when these follow it (局部, 委托, 办理 …)
_NOT_A_UNIT = "部面势屈托婉员理法事公证"
# what ends a clause (a report cue and its target must share one); the colon does not (举报：某局…)
_CLAUSE_END = "，。！？；、,.!?;\n\r\t （）()“”\"'《》【】"
_LEVEL_NAME = {"secret": "涉密", "stability": "涉稳", "report": "举报件"}


@dataclass(frozen=True)
class Levels:
    """One record's 分级分类: who may see it, why it is sensitive, and the reasons."""

    publication: str
    sensitivity: str
    reasons: tuple[str, ...] = ()
    reported: tuple[str, ...] = field(default=())   # configured departments a 举报件 names


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)) if w)


class Classifier:
    """The rules of one configuration, compiled once (see the module docstring)."""

    def __init__(self, rules: ClassificationConfig, departments: Sequence[Department] = ()) -> None:
        self.rules = rules
        self.cues = {k: list(getattr(rules, k)) if getattr(rules, k) is not None else list(v)
                     for k, v in BUILT_IN.items()}
        multi = [t for t in self.cues["report_targets"] if len(t) > 1]
        single = "".join(re.escape(t) for t in self.cues["report_targets"] if len(t) == 1)
        target = _alternation(multi) + (f"|[{single}](?![{_NOT_A_UNIT}])" if single else "")
        gap = f"[^{re.escape(_CLAUSE_END)}]{{0,{rules.report_window}}}?"
        self._report = re.compile(f"(?:{_alternation(self.cues['report_cues'])}){gap}(?:{target})") \
            if self.cues["report_cues"] and target else None
        self._ignore = re.compile(_alternation(self.cues["report_ignore"])) if self.cues["report_ignore"] else None
        self._departments = sorted(((n, d.name) for d in departments for n in (d.name, *d.aliases) if n),
                                   key=lambda p: -len(p[0]))
        self._names = re.compile(_alternation([n for n, _ in self._departments])) if self._departments else None

    @classmethod
    def from_config(cls, config: Config) -> Classifier:
        return cls(config.classification, config.departments)

    def fingerprint(self) -> str:
        """A short hash of everything that decides a level: a change re-classifies every record."""
        data: dict[str, Any] = {**self.rules.model_dump(mode="json"), **self.cues, "departments": self._departments}
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]

    def classify(self, source: str, category: str | None, text: str) -> Levels:
        sensitivity, reasons, reported = self._sensitivity(category, text or "")
        if sensitivity != "normal":
            return Levels("office_only", sensitivity, tuple(reasons), reported)
        if category and category in self.rules.internal_categories:
            return Levels("internal", "normal", (f"分类“{category}”不公开",))
        if source in self.rules.public_sources:
            return Levels("public", "normal", (f"公开渠道：{label(SOURCE, source)}",))
        if category and category in self.rules.public_categories:
            return Levels("public", "normal", (f"公开分类：{category}",))
        return Levels(self.rules.default, "normal", (f"{label(SOURCE, source)}：默认级别",))

    def _sensitivity(self, category: str | None, text: str) -> tuple[str, list[str], tuple[str, ...]]:
        reasons: list[str] = []
        found = {kind: [c for c in self.cues[f"{kind}_cues"] if c in text] for kind in ("secret", "stability")}
        for kind, cues in found.items():
            if cues:
                reasons.append(f"{_LEVEL_NAME[kind]}：{'、'.join(cues[:5])}")
        spans = self.report_spans(text)
        reported = tuple(dict.fromkeys(name for s in spans for n, name in self._departments if n in s))
        if spans:
            reasons.append(f"举报件：{'；'.join(spans[:3])}" + (f"（被举报：{'、'.join(reported)}）" if reported else ""))
        given = self.rules.category_sensitivity.get(category or "")
        if given:
            reasons.append(f"分类“{category}”为{_LEVEL_NAME[given]}")
        for kind in ("secret", "stability", "report"):
            if (found.get(kind) if kind != "report" else spans) or given == kind:
                return kind, reasons, reported
        return "normal", reasons, reported

    def report_spans(self, text: str) -> list[str]:
        """The phrases that make a text a 举报件 (cue to unit or person), generic phrases removed."""
        if self._report is None:
            return []
        # a generic phrase never eats into a department's name (举报人 / 人社局 in 举报人社局)
        names = [m.span() for m in self._names.finditer(text)] if self._names else []

        def drop(m: re.Match[str]) -> str:
            return m.group(0) if any(a < m.end() and m.start() < b for a, b in names) else "，"

        clean = self._ignore.sub(drop, text) if self._ignore else text
        return list(dict.fromkeys(m.group(0) for m in self._report.finditer(clean)))
