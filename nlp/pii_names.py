"""Personal names: a surname and one or two given characters after a cue, or a surname with 先生/女士/小姐.

There is no name dictionary to look names up in, so the cue decides how much evidence is needed:

* after a *sure* cue (我叫, 姓名, 联系人, 户主 …) a name is expected and taken as it stands;
* after a *strict* cue (我是, 本人, 负责人, 业主 …), which also starts ordinary sentences (我是一名教师,
  本人于2019年), the name must end where names end: punctuation, a digit or a word that follows a
  self-introduction (电话, 身份证, 家住, 今年, 男 …);
* after a relative (我父亲, 我儿子, 孩子 …) or a role (投诉人, 委托人 …) the common words that follow
  names (在, 去年, 被, 及 …) end it too.

A surname that is also an everyday word (于, 和, 曾, 成, 应 …: 本人于最近4个月, 孩子和老人, 业主曾多次)
always needs the strict ending (and not a digit); phrases that start like a name but are not one
(高血压, 周末, 农民) are listed. A name that would end in the middle of a word is not masked at
all. Before a title the name is read backwards: 何丽华先生 whole, 谢谢王先生 from 王.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nlp.pii_base import Detector

SURNAMES = (
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 司徒 端木 长孙 "
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 "
    "于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 "
    "薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 "
    "乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单 季 "
    "裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳 时 穆 农 司 卓 "
    "古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 "
    "师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 "
).split()
_SINGLE = "".join(s for s in SURNAMES if len(s) == 1)
_COMPOUND = frozenset(s for s in SURNAMES if len(s) == 2)
_SURNAME = "(?:{}|[{}])".format("|".join(sorted(_COMPOUND)), _SINGLE)
# surnames that are also everyday words: after them a name needs the strict evidence
_WORDLIKE = frozenset("于曾余任方和向时常全应成施万单车路解连查管关明安高华文尚宁司简项党宫费冷席米宗边师商沙荣郎谢"
                      "丛池麻苑迟齐易包柏谷盛曲游蒙房屈牟艾尤阳农卓古吉景凌付毕甘龙金石白")
# characters that end a name: particles, verbs, time words and nouns that follow a name
_NOT_GIVEN = frozenset("的是在了和与及或电手住家现系先女师说要想就也都很因为被把对向从到给让请反投举这那我你他她们"
                       "不有人日月年今昨去前后时天于某等号码身份证联络个之上下已经曾又再还将会能可患得病岁同意"
                       "员部门段费价款额场局厅室层栋件条项次些种样类装")
# phrases that start like a name after a cue but are not one
_NOT_NAMES = ("高血", "高烧", "高龄", "高考", "高中", "高三", "高二", "高一", "高位", "高空", "高层", "马上", "马路",
              "常年", "常常", "明天", "明年", "明显", "全身", "全家", "全部", "全职", "周末", "周岁", "周一", "周二",
              "周三", "周四", "周五", "周六", "周日", "白天", "车祸", "车主", "安全", "安装", "安置", "时常", "成年",
              "成绩", "成长", "成员", "许多", "万一", "单位", "单亲", "关于", "任何", "方面", "文化", "黄疸", "于是",
              "石头", "金额", "钱包", "宁可", "江边", "华为", "路上", "路人", "司机", "房子", "房间", "房主", "余额",
              "余下", "吉利", "齐全", "严重", "连续", "包括", "包工", "解决", "毕业", "管理", "应该", "应届", "查出",
              "曾经", "尚未", "龙头", "蓝色", "黄色", "白色", "米饭", "程序", "杜绝", "沙发", "麻烦", "康复", "农村",
              "农民", "党员", "商户", "师傅", "卫生", "柴油", "凌晨", "付出", "付费", "施工", "项目", "孔子", "苗苗",
              "查询", "孙子", "孙女", "叶子", "江湖", "高铁", "马桶", "宋体", "焦急", "童年", "谢谢", "房东", "商量", "商场", "商店",
              "商品", "商家", "商铺", "商业")
_TITLES = ("先生", "女士", "小姐", "师傅", "阿姨", "同志", "老师")
_PUNCT = frozenset("，,。.、;；:：!！?？ \n(（)）[【")
_STRONG = ("身份", "电话", "手机", "联系", "家住", "住在", "住址", "现住", "现年", "今年", "男", "女", "系", "同志", "的家属",
           "的妈妈", "的爸爸", "的父亲", "的母亲", "的家长", "的儿子", "的女儿", "的丈夫", "的妻子", "的爱人")
_WEAK = ("在", "是", "于", "的", "因", "被", "和", "与", "已", "也", "一直", "去年", "今天", "昨天", "说", "到", "从",
         "患", "得", "生前", "生病", "年", "岁", "等", "不", "没", "要", "来", "去", "向", "对", "把", "给", "住", "现",
         "家", "老人", "今", "及", "并", "称", "等人")

SURE_CUES = ("我叫", "我的名字是", "我的名字叫", "本人叫", "本人姓名", "名叫", "姓名", "联系人", "户主")
ROLE_CUES = ("举报人", "投诉人", "反映人", "来电人", "求助人", "申请人", "当事人", "收件人", "委托人", "监护人",
             "法定代表人", "诉求人")
STRICT_CUES = ("我是", "本人", "负责人", "经办人", "业主", "房东", "租户", "居民", "村民", "市民", "住户", "家长", "员工",
               "职工", "车主", "患者")
RELATIVES = ("父亲", "母亲", "爸爸", "妈妈", "我爸", "我妈", "老爸", "老妈", "丈夫", "妻子", "老公", "老婆", "爱人",
             "儿子", "女儿", "孩子", "哥哥", "姐姐", "弟弟", "妹妹", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷",
             "孙子", "孙女", "外孙", "公公", "婆婆", "岳父", "岳母", "女婿", "儿媳", "叔叔", "舅舅", "姑姑", "侄子",
             "老伴", "媳妇", "家属", "邻居", "同事", "朋友", "同学", "室友", "舍友")
# how a name must end: anyhow (after a sure cue); at punctuation, a digit, a self-introduction word
# or before 在/被/去年 … (after a relative or role); the same without 在/被 … (after a strict cue)
_ANY, _WEAK_OK, _STRICT = range(3)


# cue words that are also the tail of other words: 企业主, 物业主任, 日本人, 妇女儿童
_NOT_AFTER = {"业主": "企物", "本人": "日原", "女儿": "妇"}


def _alternation(words: Sequence[str]) -> str:
    """Longest first; a look-behind goes after the cue's first character, never first in the
    pattern (that would cost the regex engine its fast scan for the first character)."""
    def one(word: str) -> str:
        bad = _NOT_AFTER.get(word)
        return f"{word[0]}(?<![{bad}]{word[0]}){re.escape(word[1:])}" if bad else re.escape(word)
    return "|".join(one(w) for w in sorted(words, key=len, reverse=True))


class NameDetector(Detector):
    """Names after sure, strict, role and relative cues, and 李先生/王女士 (see the module docstring)."""

    kind = "name"

    def __init__(self, sure: Sequence[str] = SURE_CUES, strict: Sequence[str] = STRICT_CUES,
                 related: Sequence[str] = ROLE_CUES + RELATIVES) -> None:
        name = rf"({_SURNAME})([\u4e00-\u9fa5]{{0,2}})"
        self._cued = [
            (_ANY, re.compile(rf"(?:{_alternation(sure)})[\s:：是为]{{0,2}}{name}")),
            (_STRICT, re.compile(rf"(?:{_alternation(strict)})[\s:：,，]{{0,2}}{name}")),
            (_WEAK_OK, re.compile(rf"(?:{_alternation(related)})(?:叫|名叫|是|为|[\s:：,，])?{name}")),
        ]
        # 我姓王，叫王小明: the name after 叫 once the surname is given
        self._surname_first = re.compile(rf"姓{_SURNAME}[,，、 ]?(?:叫|名叫|全名)({_SURNAME})([\u4e00-\u9fa5]{{0,2}})")
        self._titles = re.compile(r"(?:先生|女士|小姐)(?![活产成长效前])")

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        for level, pattern in self._cued:
            for m in pattern.finditer(text):
                span = _name(text, m, level)
                if span:
                    yield span
        if "姓" in text:
            for m in self._surname_first.finditer(text):
                span = _name(text, m, _ANY)
                if span:
                    yield span
        if "先生" in text or "女士" in text or "小姐" in text:
            for m in self._titles.finditer(text):
                start = _titled_start(text, m.start())
                if start is not None:
                    yield start, m.end()


def _titled_start(text: str, title: int) -> int | None:
    """Where the name before 先生/女士/小姐 starts: 何丽华先生, 王先生, 欧阳娜娜女士; None for
    我和先生 (my husband and I), 导游小姐 (a tour guide), 谢谢先生."""
    for k in (4, 3, 2):                       # a surname and one or two given characters
        start = title - k
        if start < 0:
            continue
        surname = text[start:start + 2] if text[start:start + 2] in _COMPOUND else text[start]
        given = text[start + len(surname):title]
        fits = 1 <= len(given) <= 2 if len(surname) == 1 else len(given) <= 2
        if (not fits or (len(surname) == 1 and surname not in _SINGLE) or text.startswith(_NOT_NAMES, start)
                or (surname in _WORDLIKE and not _opens_name(text, start, surname))):
            continue
        if all("\u4e00" <= ch <= "\u9fff" and ch not in _NOT_GIVEN for ch in given):
            return start
    surname = text[title - 1] if title else ""
    if not surname or surname not in _SINGLE:
        return None
    return title - 1 if surname not in _WORDLIKE or _opens_name(text, title - 1, surname) else None


def _opens_name(text: str, start: int, surname: str) -> bool:
    """A word-like surname opens a name only after a word that introduces one (请余先生, 的于女士)."""
    before = text[start - 1] if start else ""
    return surname != "和" and (not "\u4e00" <= before <= "\u9fff" or before in "的是位找给请叫问系与谢")


def _title_at(text: str, pos: int) -> str:
    return next((t for t in _TITLES if text.startswith(t, pos)), "")


def _name(text: str, m: re.Match[str], level: int) -> tuple[int, int] | None:
    """The longest reading of surname + given characters that ends like a name, or None."""
    start, sur_end, given = m.start(1), m.end(1), m.group(2)
    title = _title_at(text, sur_end)
    if title:
        return start, sur_end + len(title)
    wordlike = m.group(1) in _WORDLIKE
    if wordlike:
        level = max(level, _STRICT)
    if level != _ANY and text.startswith(_NOT_NAMES, start):
        return None
    n = 0
    while n < len(given) and given[n] not in _NOT_GIVEN:
        n += 1
    for end in range(sur_end + n, sur_end, -1):
        title = _title_at(text, end)
        if title or _ends_name(text, end, level, digits=not wordlike):
            return start, end + len(title)
    return None


def _ends_name(text: str, end: int, level: int, digits: bool) -> bool:
    if level == _ANY or end >= len(text) or text[end] in _PUNCT or text.startswith(_STRONG, end):
        return True
    return (digits and text[end].isdigit()) or (level == _WEAK_OK and text.startswith(_WEAK, end))
