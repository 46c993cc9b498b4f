"""Places named in a demand: gazetteer look-up plus suffix patterns, and the district they imply.

The gazetteer (config ``districts``: streets, communities, roads, estates) is exact and tells the
district; patterns (…路, …小区, …社区, …街道, …镇, …村) find places the gazetteer lacks but tell
no district. Look-up runs over tokens: the segmenter's user dictionary keeps gazetteer names whole,
so this costs one dict probe per token instead of a scan per name.

Each place is ``{"name", "level", "district", "source"}`` (all strings; district "" when unknown
or ambiguous, e.g. a road crossing two districts), plus ``lon`` and ``lat`` (floats, WGS-84) when the
configuration gives the place coordinates (a district's ``coordinates``, or its ``center`` for the
district itself). :func:`place_point` picks the finest of them as the demand's point.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from suqiu.config import Config

LEVELS = ("district", "street", "community", "road", "estate", "landmark")
# How strongly a gazetteer place implies its district.
_EVIDENCE = {"district": 3.0, "street": 2.0, "community": 2.0, "estate": 2.0, "road": 1.0, "landmark": 2.0}
# finest first: the point of a demand is its most precise located place
POINT_ORDER = ("estate", "landmark", "community", "road", "street", "district")

# suffix → level, longest suffix first
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("街道", "street"), ("小区", "estate"), ("花园", "estate"), ("新村", "estate"), ("家园", "estate"),
    ("公寓", "estate"), ("社区", "community"), ("大道", "road"), ("大街", "road"), ("路", "road"),
    ("街", "road"), ("巷", "road"), ("镇", "street"), ("乡", "street"), ("村", "community"),
)
# words ending like a place that are not one
_NOT_PLACES = frozenset("""
道路 马路 公路 铁路 线路 电路 思路 出路 走路 网路 水路 套路 门路 一路 小路 大路 山路 土路 回路 岔路 修路 让路 带路 迷路
水泥路 柏油路 高速公路 十字路 主干路 支路 断头路 人行道 街道办 大街小巷 上街 逛街 沿街 临街 当街 步行街 商业街 老街 一条街
小区 社区 花园 新村 家园 公寓 城镇 乡镇 村镇 集镇 城乡 下乡 老乡 家乡 故乡 农村 乡村 山村 村村 全村 本村 该村 同村 邻村
本小区 该小区 我小区 老小区 此小区 整个小区 各小区 本社区 该社区 所在社区 街坊 冷巷
""".split())
_BAD_PREFIX_END = tuple("条段个些这那该本此各每我你他她其所在的了到去往向从沿经")


class Gazetteer:
    """Name → (level, district) entries; a name may sit in several districts (a shared road)."""

    def __init__(self) -> None:
        self.entries: dict[str, list[tuple[str, str]]] = {}
        self.canonical: dict[str, str] = {}  # district alias → district name
        self.points: dict[str, tuple[float, float]] = {}   # name → (lon, lat)
        self.ambiguous: set[str] = set()                   # names given two different points: none

    def add(self, name: str, level: str, district: str) -> None:
        name = name.strip()
        if name and (level, district) not in self.entries.setdefault(name, []):
            self.entries[name].append((level, district))

    @classmethod
    def from_config(cls, config: "Config") -> "Gazetteer":
        g = cls()
        for name, level, district in config.place_names():
            g.add(name, level, district)
            if level == "district":
                g.canonical[name] = district
        for d in config.districts:
            if d.center is not None:
                g.locate(d.name, d.center)
            for name, point in d.coordinates.items():
                g.locate(g.canonical.get(name, name), point)
        return g

    def locate(self, name: str, point: tuple[float, float]) -> None:
        """Give ``name`` its (lon, lat); a name configured in two districts with two points has none."""
        point = (float(point[0]), float(point[1]))
        if self.points.setdefault(name, point) != point:
            self.ambiguous.add(name)

    def point_of(self, name: str) -> dict[str, float]:
        """``{"lon", "lat"}`` of a place, or ``{}`` when it has no (unambiguous) coordinates."""
        p = None if name in self.ambiguous else self.points.get(name)
        return {} if p is None else {"lon": p[0], "lat": p[1]}

    def words(self) -> list[str]:
        return list(self.entries)


_SUFFIX_LAST = frozenset(s[-1] for s, _ in _SUFFIXES)


def _pattern_level(token: str) -> str | None:
    if not token or token[-1] not in _SUFFIX_LAST or token in _NOT_PLACES:
        return None
    for suffix, level in _SUFFIXES:
        if token.endswith(suffix) and len(token) > len(suffix):
            return level
    return None


def _han(token: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in token)


class PlaceExtractor:
    """Finds places in a document's raw token stream (punctuation included, stop words not removed)."""

    def __init__(self, gazetteer: Gazetteer | None = None, patterns: bool = True) -> None:
        self.gazetteer = gazetteer or Gazetteer()
        self.patterns = patterns

    @classmethod
    def from_config(cls, config: "Config", **kwargs: bool) -> "PlaceExtractor":
        return cls(Gazetteer.from_config(config), **kwargs)

    def extract(self, raw_tokens: Sequence[str]) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        entries = self.gazetteer.entries
        prev = ""
        patterns, suffix_last = self.patterns, _SUFFIX_LAST
        for token in raw_tokens:
            hit = entries.get(token)
            if hit is not None:
                if token not in found:
                    levels = {lv for lv, _ in hit}
                    districts = {d for _, d in hit}
                    level = min(levels, key=LEVELS.index)
                    name = self.gazetteer.canonical.get(token, token) if level == "district" else token
                    found[token] = {"name": name, "level": level,
                                    "district": districts.pop() if len(districts) == 1 else "",
                                    "source": "gazetteer", **self.gazetteer.point_of(name)}
            elif patterns and token[-1:] in suffix_last:
                name = self._pattern_name(prev, token)
                if name and name not in found and name not in entries:
                    if name != token and prev in found and found[prev]["source"] == "pattern":
                        del found[prev]
                    found[name] = {"name": name, "level": _pattern_level(name) or "road", "district": "",
                                   "source": "pattern"}
            prev = token
        # a district alias and its canonical name are one place
        out: dict[str, dict[str, Any]] = {}
        for place in found.values():
            out.setdefault(place["name"], place)
        return list(out.values())

    def _pattern_name(self, prev: str, token: str) -> str | None:
        if token[-1:] not in _SUFFIX_LAST:
            return None
        if len(token) >= 3 and _han(token) and _pattern_level(token):
            return token
        # jieba often splits 联丰 | 路 or 屏西 | 小区: join a 2–4 character Han word with a bare suffix
        if (token in {"路", "街", "大道", "小区", "社区", "街道", "花园", "新村", "村", "镇"}
                and 2 <= len(prev) <= 4 and _han(prev) and not prev.endswith(_BAD_PREFIX_END)
                and _pattern_level(prev + token)):
            return prev + token
        return None

    def infer_district(self, places: Sequence[dict[str, Any]]) -> str | None:
        """The district the gazetteer places point to, or None when nothing (or a tie) says so."""
        votes: Counter[str] = Counter()
        for p in places:
            if p.get("source") == "gazetteer" and p.get("district"):
                votes[p["district"]] += _EVIDENCE.get(p["level"], 1.0)
        if not votes:
            return None
        ranked = votes.most_common(2)
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]


def place_point(places: Sequence[dict[str, Any]]) -> tuple[float, float] | None:
    """(lon, lat) of the finest place that has coordinates (小区 before road before district), or None."""
    located = [p for p in places if isinstance(p.get("lon"), (int, float)) and isinstance(p.get("lat"), (int, float))]
    if not located:
        return None
    best = min(located, key=lambda p: POINT_ORDER.index(p["level"]) if p.get("level") in POINT_ORDER else 3)
    return float(best["lon"]), float(best["lat"])
