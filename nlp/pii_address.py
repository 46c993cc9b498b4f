"""Home addresses: mask what locates the home (house number, building, unit, floor, room), keep the rest.

``我家住在鼓楼区杨桥路88号3栋502室`` becomes ``我家住在鼓楼区杨桥路[住址]``: district, road and estate
names stay, because the analysis finds places and hotspots in them.

An address component is a number with its unit (88号, 3栋, 3号楼, A座, 2单元, 12层, 502室, a bare
502 after a building or unit, 5-3-502). Components that touch form a chain. A number is masked
only with evidence that it locates a home:

* a chain that reaches a room (502室, 1608房, 3号房, a bare 502 after a building or after the name
  of one: 华都大厦1708, 5-3-502) is a home address wherever it stands;
* in a clause (up to the next ，。；！？) with a home cue (家住, 住在, 我家, 住址, 户籍 …) or with such a
  room, every chain holding a house number, building or unit is masked too.

So 杨桥路88号 alone (a shop's location in a review) and 金山小区3号楼电梯坏了 (which building's lift)
stay, and so do counts (小区有3栋楼, 300户居民, 两室一厅), dates (11月20号), document and legal
numbers (第88号令, 〔2020〕88号), lines and gates (1号线, 3号门).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.pii_base import Detector

# found unit first (a pattern starting with the number would try every digit, numeral and letter),
# each unit's first character then checked to follow a number character
_NUM_CHAR = "0-9A-Za-z一二三四五六七八九十〇零○两幺"
_UNIT = re.compile("|".join(f"{u[0]}(?<=[{_NUM_CHAR}]{re.escape(u[0])}){u[1:]}" for u in (
    "号楼", "号院", "号房", "号", "栋楼", "幢楼", "栋", "幢", "座", "单元", "室", "户", "房", "层", "楼", "#楼", "#")))
_NUM_BEFORE = re.compile(r"(?:\d{1,5}|[一二三四五六七八九十〇零○两幺]{1,4}|[A-Za-z])$")
# a bare room number right after the name of a building or estate (华都大厦1708, 金山公寓502)
_NAMED_ROOM = re.compile(r"(?:大厦|公寓|大楼|写字楼|中心|广场|花园|小区|新村|家园|苑)(\d{3,4})"
                         r"(?=$|[\s，,。;；:：、)）!！?？]|业主|住户|户主|的|房间)")   # not 小区300来户, 公寓4871㎡
_LEAD_BUILDING = re.compile(r"(?<![0-9A-Za-z])\d{1,3}-$")
_DASHED = re.compile(r"(?<![0-9A-Za-z.:/\-])\d{1,3}-\d{1,2}-\d{3,4}(?![0-9A-Za-z.:/\-])")
# a bare room number after a building, unit or floor (3栋502, 2单元301); 306个平方 is an area
_BARE_ROOM = re.compile(r"[ \-]?(?:\d{1,2}-)?\d{3,4}(?![0-9A-Za-z号室户房层楼栋幢座单元#\-个平米元万人户年月日天套间次名位台辆多余])")
_KIND = {"号": "house", "号院": "house", "号楼": "building", "栋": "building", "幢": "building", "座": "building",
         "#楼": "building", "#": "building", "单元": "unit", "层": "floor", "楼": "floor", "室": "room",
         "号房": "room", "房": "room", "户": "count", "栋楼": "count", "幢楼": "count"}
# a 号 followed by these is a line, gate, decree, document or date, not a house number
_NOT_HOUSE_AFTER = tuple("线令文字门床窗机车站口位码元桩柜台出入地道场")
_NOT_HOUSE_BEFORE = frozenset("第〕]】)）月期批")
_LAYOUT = re.compile(r"[0-9一二两三四五]?[厅卫]")          # 3室2厅, 两室一厅, 3房1厅
_NOT_ROOM_AFTER = tuple("补产价租屋源贷款地型主东管改")       # 2005房补, 106号房屋, 号房地产
_HOME_CUE = re.compile(r"家住|住在|住址|我家|居住|现住|户籍|家庭地址|租住|我住|本人住|住于|老家|通讯地址|收件地址"
                       r"|我的地址|家在|搬到|买的房|购房")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")


@dataclass
class _Part:
    start: int
    end: int
    kind: str                      # house, building, unit, floor, room, count


class AddressDetector(Detector):
    """House number, building, unit, floor and room of a home (see the module docstring for when)."""

    kind = "address"

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        parts = self._parts(text)
        if not parts:
            return
        chains = _chains(text, parts)
        homes = {_clause(text, c[0].start) for c in chains if any(p.kind == "room" for p in c)}
        for chain in chains:
            has_room = any(p.kind == "room" for p in chain)
            if not has_room:
                if not any(p.kind in ("house", "building", "unit") for p in chain):
                    continue
                clause = _clause(text, chain[0].start)
                if clause not in homes and not _HOME_CUE.search(text, *clause):
                    continue
            yield chain[0].start, chain[-1].end

    @staticmethod
    def _parts(text: str) -> list[_Part]:
        parts: list[_Part] = []
        for u in _UNIT.finditer(text):
            num = _NUM_BEFORE.search(text, max(0, u.start() - 5), u.start())
            if num is None or (num.start() and text[num.start() - 1].isascii() and text[num.start() - 1].isalnum()):
                continue
            kind = _component_kind(text, num.start(), num.group(), u.group(), u.end())
            if kind is None:
                continue
            start = num.start()
            if kind == "room" and len(num.group()) == 1 and not (
                    parts and parts[-1].end == start and parts[-1].kind in ("building", "unit", "floor")):
                continue                            # 2居1室 is a layout; 3栋1室 a room
            if kind == "room":                      # 5-4304房: building 5, room 4304
                lead = _LEAD_BUILDING.search(text, max(0, start - 4), start)
                start = lead.start() if lead else start
            parts.append(_Part(start, u.end(), kind))
            if kind in ("building", "unit", "floor"):
                bare = _BARE_ROOM.match(text, u.end())
                if bare:
                    parts.append(_Part(bare.start(), bare.end(), "room"))
        for m in _NAMED_ROOM.finditer(text):
            parts.append(_Part(m.start(1), m.end(1), "room"))
        if "-" in text:
            for m in _DASHED.finditer(text):
                if m.start() and "\u4e00" <= text[m.start() - 1] <= "\u9fff":
                    parts.append(_Part(m.start(), m.end(), "room"))
        parts.sort(key=lambda p: p.start)
        return [p for i, p in enumerate(parts) if not i or p.start >= parts[i - 1].end]


def _component_kind(text: str, start: int, num: str, unit: str, end: int) -> str | None:
    kind = _KIND[unit]
    letter = num.isascii() and num.isalpha()
    if letter and kind not in ("building", "unit"):
        return None
    before = text[start - 1] if start else ""
    if kind == "house" and (before in _NOT_HOUSE_BEFORE or text.startswith(_NOT_HOUSE_AFTER, end)):
        return None
    if kind == "room" and (_LAYOUT.match(text, end) or (unit == "房" and len(num) < 3)
                           or (unit.endswith("房") and text.startswith(_NOT_ROOM_AFTER, end))):
        return None
    if unit == "座" and not letter and end < len(text) and "\u4e00" <= text[end] <= "\u9fff":
        return None                # 2座桥, 3座山: a count
    if kind == "floor" and before == "第":
        return None
    return kind


def _chains(text: str, parts: list[_Part]) -> list[list[_Part]]:
    """Components that touch (or are one space or dash apart) form one chain; counts (3栋楼, 300户)
    are never masked."""
    chains: list[list[_Part]] = []
    for p in parts:
        if p.kind == "count":
            continue
        prev = chains[-1][-1] if chains else None
        touches = prev is not None and (p.start == prev.end or (p.start == prev.end + 1 and text[prev.end] in " -"))
        if touches:
            chains[-1].append(p)
        else:
            chains.append([p])
    return chains


def _clause(text: str, pos: int) -> tuple[int, int]:
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, pos)), default=0)
    end = _CLAUSE_END.search(text, pos)
    return start, end.start() if end else len(text)
