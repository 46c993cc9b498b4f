"""The CJK font shipped by a registry package (mplfonts), so charts render Chinese on any machine."""

from __future__ import annotations

from importlib import util
from pathlib import Path

PREFERRED = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf", "SourceHanSerifSC-Regular.otf")


def cjk_font_path() -> Path | None:
    spec = util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    fonts = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    for name in PREFERRED:
        if (fonts / name).is_file():
            return fonts / name
    return None
