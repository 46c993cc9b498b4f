"""Which import profile fits a table, and which column holds each record field.

A profile fits when its required headers are all present and the columns for the receiving
time and for the text (content or title) are found. Among fitting profiles the best is the one
that finds the largest share of its own columns and explains the largest share of the file's
headers, so the profile for "messages with replies" beats the plain "messages" one on a file
that has reply columns, and loses on a file that has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crawlers.importers.headers import normalize_header
from suqiu.config import ImportProfile


@dataclass
class Binding:
    """A profile laid over one table's headers."""

    profile: ImportProfile
    columns: dict[str, int]                 # record field → column index
    headers: dict[str, str]                 # record field → the header as written in the file
    missing: list[str] = field(default_factory=list)   # why it does not fit (empty: it fits)
    score: float = 0.0

    @property
    def fits(self) -> bool:
        return not self.missing


class NoProfileMatch(Exception):
    """No profile fits; the message lists the headers found and what each profile missed."""

    def __init__(self, headers: Sequence[str], tried: Sequence[Binding], where: str = "") -> None:
        shown = "、".join(h for h in headers if h) or "（无）"
        lines = [f"没有与{where}表头匹配的导入配置。文件表头：{shown}"]
        if tried:
            lines.append("已尝试的导入配置：")
            lines += [f"  - {b.profile.name}：缺少 {'、'.join(b.missing)}" for b in tried]
        else:
            lines.append("配置中没有任何导入配置（[[import_profiles]]）。")
        lines.append("请用 --profile 指定，或在 suqiu.toml 中为此导出格式增加一个 [[import_profiles]]。")
        super().__init__("\n".join(lines))
        self.headers = list(headers)
        self.tried = list(tried)


def known_headers(profiles: Sequence[ImportProfile]) -> set[str]:
    """Every header any profile knows, normalized: what the reader looks for to find the header row."""
    return {normalize_header(a) for p in profiles for aliases in p.columns.values() for a in aliases} | {
        normalize_header(h) for p in profiles for h in p.required_headers}


def bind(profile: ImportProfile, headers: Sequence[str]) -> Binding:
    norm = [normalize_header(h) for h in headers]
    position: dict[str, int] = {}
    for i, h in enumerate(norm):
        if h:
            position.setdefault(h, i)  # a repeated header: the first one counts
    columns: dict[str, int] = {}
    for fld, aliases in profile.columns.items():
        for alias in aliases:
            i = position.get(normalize_header(alias))
            if i is not None:
                columns[fld] = i
                break
    missing = [h for h in profile.required_headers if normalize_header(h) not in position]
    for fld in ("received_at",):
        if fld in profile.columns and fld not in columns:
            missing.append("/".join(profile.columns[fld]))
        elif fld not in profile.columns:
            missing.append(f"{fld}（配置未映射）")
    if "content" not in columns and "title" not in columns:
        text_aliases = profile.columns.get("content", []) + profile.columns.get("title", [])
        if not any(a in missing for a in text_aliases):
            missing.append("/".join(text_aliases))
    missing = list(dict.fromkeys(missing))
    named = sum(1 for h in norm if h)
    score = 0.0
    if profile.columns and named:
        score = len(columns) / len(profile.columns) + len(set(columns.values())) / named
    return Binding(profile=profile, columns=columns, headers={f: headers[i] for f, i in columns.items()},
                   missing=missing, score=score)


def choose(profiles: Sequence[ImportProfile], headers: Sequence[str], where: str = "") -> Binding:
    """The best-fitting profile for these headers, or NoProfileMatch listing what was tried."""
    bindings = [bind(p, headers) for p in profiles]
    fitting = [b for b in bindings if b.fits]
    if not fitting:
        raise NoProfileMatch(headers, bindings, where)
    return max(fitting, key=lambda b: (b.score, len(b.columns)))
