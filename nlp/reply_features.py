"""What a government reply contains, as a short fixed vector of 0/1 cues plus two length figures.

Each ``Cue`` is one thing people look for in a good (or a hollow) reply to a citizen: an
investigation done (经调查核实), a finding (经查属实), measures taken (责令整改), a result
(已修复), the next step (下一步), a time, a contact number, a stated reason (由于…因此),
the rule applied (根据…规定), point-by-point answers (一、二、), and the marks of a hollow reply
(已转交相关部门, 高度重视, a long verbatim quotation of a regulation with nothing about the case).
Every cue carries the Chinese phrase the scorer shows when the cue is present (``found``) or
missing (``missing``), so reasons come from the same table the model is fitted on.

The vector is the input of the calibrated models in ``nlp.reply_quality``; ``bench/fit_reply_quality.py``
fits them. Changing a cue changes the model's input: refit and reship the weights after any edit
(the shipped file records these names and refuses to load against a different list).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SPACE = re.compile(r"\s+")
_QUOTED = re.compile(r"“[^”]{0,400}”|《[^》]{0,80}》")
SHORT_CHARS = 60          # below this many Chinese characters a reply cannot carry findings and reasons


@dataclass(frozen=True)
class Cue:
    """One cue: its regular expression and the Chinese phrases used in reasons."""

    name: str
    pattern: str
    found: str              # shown when the cue is present and the model counts it in the reply's favour
    missing: str = ""       # shown when absent and its absence costs the reply (empty: not worth saying)
    against: str = ""       # shown when present and the model counts it against the reply


CUES: tuple[Cue, ...] = (
    Cue("ack", r"收悉|已收到|收到您|来信收到", ""),     # a receipt is not content: never a reason
    Cue("investigate", r"经(?:过)?[^，。；]{0,8}(?:调查|核实|核查|了解|查实|查明|走访)|实地|现场(?:查看|勘察|核查|调查|检查)"
        r"|调查核实|进行了调查|经查", "说明开展了调查核实", "未说明是否调查核实"),
    Cue("finding", r"属实|不属实|经查|查明|发现|确实|不存在|情况如下", "说明了查明的情况"),
    Cue("measure", r"责令|整改|督促|协调|安排|约谈|查处|处罚|维修|清理|拆除|疏通|修复|巡查|执法|立案|召开|组织|部署|落实"
        r"|派(?:出|员)|已要求|已通知|沟通|对接", "说明了采取的措施", "未说明采取了什么措施"),
    Cue("coordinate", r"协调|召集|专题|研究决定|会议|多次", "说明了组织协调的经过"),
    Cue("result", r"已(?:经)?(?:完成|整改|解决|恢复|清理|拆除|修复|发放|办理|退还|办结|支付|到位|落实|安装|开通|处理)"
        r"|现已|目前已|得到(?:解决|改善)|办结", "给出了办理结果"),
    Cue("status", r"目前|现阶段|正在|尚未|暂未|暂无|已于", "说明了当前进展"),
    Cue("next_step", r"下一步|将(?:会|继续|进一步|加强|及时|在|于|尽快|积极)|近期|近日将|计划|预计|拟于|争取|待[^，。]{0,10}后",
        "说明了下一步安排", "未说明下一步安排"),
    Cue("time", r"\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d+个?(?:工作日|日|天|周|月)内|年底前|月底前", "给出了时间节点",
        "未给出时间节点"),
    Cue("contact", r"电话|致电|拨打|联系人|热线|咨询", "留有联系方式或咨询渠道"),
    Cue("guidance", r"建议您|您可|可(?:以)?(?:到|向|持|携带|拨打|致电|登录|关注)|请您|请(?:到|向|持|携带|关注)|需(?:提供|携带|持)"
        r"|办理(?:流程|程序)|申请", "告知了办理途径"),
    Cue("points", r"(?:^|[。；;：:！!])(?:[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d)|（[一二三四五六七八九十\d]+）"
        r"|\([一二三四五六七八九十\d]+\)|[①②③④⑤⑥⑦⑧⑨])|[一二三四五]是", "分条逐项作答"),
    Cue("figures", r"\d+(?:\.\d+)?(?:元|万|%|亩|米|公里|平方米|户|人|个|次|辆|台|天)", "给出了具体数字"),
    Cue("basis", r"根据|依据|按照|依照|依法|按规定", "说明了处理依据", "未说明处理依据"),
    Cue("policy", r"《[^》]{0,60}》", "引用了政策文件", against="以引用文件为主，未结合个案解释"),
    Cue("article", r"第[一二三四五六七八九十百零\d]+条|[〔\[【(（]\d{4}[〕\]】)）]\d+号|\d+号令", "引用了具体条款或文号",
        against="罗列条款文号，未说明与诉求的关系"),
    Cue("verbatim", r"规定[:：]|明确[:：]|指出[:：]|规定[，,]?“|“[^”]{40,}”", "", against="大段照录条文，未结合个案解释"),
    Cue("reason", r"由于|因为|原因|鉴于|所以|因此|因而|是为了|导致|(?<![原基])因(?![此素而])|故(?=不|无|暂|未|需|应|此|而)",
        "说明了原因", "未说明原因"),
    Cue("purpose", r"为了|以便|旨在|目的是|主要是|是因为|是由于", "说明了目的"),
    Cue("condition", r"条件|标准|符合|不符合|属于|不属于|范围", "说明了适用条件"),
    Cue("cases", r"如果|若|如[您你系是属需有]|否则|的话", "分情况作了说明"),
    Cue("refusal", r"无法|不能|不可|不予|暂不|不宜|不得|禁止", "说明了不能办理的事项"),
    Cue("sequence", r"首先|其次|再次|另外|此外|同时|最后", "条理清楚"),
    Cue("apology", r"敬请谅解|请谅解|恳请理解|不便|抱歉|歉意|理解和支持|理解与支持", "表达了歉意或请求理解"),
    Cue("transfer", r"转交|已转|转至|转给|转请|转(?:到|送)|交由|移交|批转", "",
        against="主要是说明已转交其他部门"),
    Cue("deferral", r"(?:请|敬请)(?:您)?耐心等待|敬请关注|另行(?:答复|回复)|将及时反馈|充分论证研究|研究处理|参考",
        "", against="只作了待办表态，未给出实质答复"),
    Cue("courtesy", r"高度重视|非常重视|关心和支持|关注和支持|继续监督|欢迎监督", "", against="多为客套表态"),
)
_COMPILED = tuple(re.compile(c.pattern) for c in CUES)
# cues that carry something about the case itself; a reply with none of them is hollow, whatever its length
SUBSTANTIVE: tuple[str, ...] = ("investigate", "finding", "measure", "result", "status", "next_step", "guidance",
                                "figures", "basis", "reason", "purpose", "condition", "cases", "refusal")
_SUBSTANTIVE_AT = tuple(i for i, c in enumerate(CUES) if c.name in SUBSTANTIVE)
SUBSTANCE_FULL = 6          # this many substantive cues count as full substance
HEAD_FEATURES: tuple[str, ...] = ("log_chars", "short", "quoted_share", "substance", "hollow")
FEATURE_NAMES: tuple[str, ...] = (*HEAD_FEATURES, *(c.name for c in CUES))


def clean_reply(text: str | None) -> str:
    """The reply without whitespace: exports pad replies with tabs and line breaks mid-sentence."""
    return _SPACE.sub("", text or "")


def chinese_chars(text: str) -> int:
    return sum(map(len, _CJK_RUN.findall(text)))


def reply_features(text: str) -> list[float]:
    """The feature vector of a cleaned reply, in ``FEATURE_NAMES`` order."""
    n_cjk = chinese_chars(text)
    quoted = sum(len(m) for m in _QUOTED.findall(text))
    cues = [1.0 if rx.search(text) else 0.0 for rx in _COMPILED]
    substantive = sum(cues[i] for i in _SUBSTANTIVE_AT)
    head = [math.log1p(n_cjk), 1.0 if n_cjk < SHORT_CHARS else 0.0, quoted / len(text) if text else 0.0,
            min(1.0, substantive / SUBSTANCE_FULL), 1.0 if substantive == 0 else 0.0]
    return head + cues
