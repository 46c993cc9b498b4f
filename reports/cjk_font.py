"""A CJK font for charts and HTML: shipped by a registry package (mplfonts), never the system's.

HTML reports embed a subset of the font holding only the characters they use, so they render
Chinese on any machine (a browser without CJK fonts would otherwise draw boxes).
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from importlib import util
from pathlib import Path

FAMILY = "SuqiuCJK"
# freely licensed fonts only (SIL Open Font License), in order of preference
PREFERRED = ("NotoSansCJKsc-Regular.otf", "SourceHanSerifSC-Regular.otf")


def cjk_font_path() -> Path | None:
    """The CJK font the registry package ``mplfonts`` ships, or None when it is not installed."""
    spec = util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    fonts = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    return next((fonts / name for name in PREFERRED if (fonts / name).is_file()), None)


def require_font() -> Path:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font: the 'mplfonts' package must be installed")
    return path


@lru_cache(maxsize=1)
def matplotlib_font_name() -> str:
    """Register the shipped font with matplotlib and return its family name."""
    from matplotlib import font_manager
    path = require_font()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def subset_font_base64(text: str) -> str:
    """The shipped font cut down to ``text``'s characters (plus ASCII), as base64 OpenType/TrueType."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    chars = set(text) | {chr(c) for c in range(0x20, 0x7F)}
    font = TTFont(str(require_font()))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options=options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def font_face_css(text: str) -> str:
    data = subset_font_base64(text)
    fmt = "opentype" if require_font().suffix == ".otf" else "truetype"
    return (f"@font-face {{ font-family: '{FAMILY}'; src: url(data:font/{fmt};base64,{data}) "
            f"format('{fmt}'); font-display: block; }}")


def covered_characters(font_b64: str) -> set[str]:
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(base64.b64decode(font_b64)))
    return {chr(cp) for cp in font.getBestCmap()}
