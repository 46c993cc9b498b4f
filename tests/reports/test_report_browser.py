"""The weekly report's HTML in real headless Chromium: not blank, and no missing-glyph boxes."""

import io

import pytest
from PIL import Image

from reports.render import to_html
from reports.weekly import build_weekly
from tests.reports.sample import week_data

pytestmark = pytest.mark.browser

# Draw each distinct CJK character alone with the page's font; a missing glyph draws the same
# box for every character, so colliding images mean tofu.
GLYPH_PROBE = """
(chars) => {
  const family = getComputedStyle(document.body).fontFamily;
  const c = document.createElement('canvas'); c.width = 40; c.height = 40;
  const ctx = c.getContext('2d');
  const seen = {};
  for (const ch of chars) {
    ctx.clearRect(0, 0, 40, 40); ctx.fillStyle = '#000';
    ctx.font = '32px ' + family; ctx.fillText(ch, 2, 32);
    const data = ctx.getImageData(0, 0, 40, 40).data;
    let h = 0; for (let i = 3; i < data.length; i += 4) { h = (h * 31 + data[i]) >>> 0; }
    (seen[h] = seen[h] || []).push(ch);
  }
  return Object.values(seen).filter(v => v.length > 1);
}
"""


@pytest.fixture(scope="module")
def page(chromium_browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "weekly.html"
    path.write_text(to_html(build_weekly(week_data())), encoding="utf-8")
    ctx = chromium_browser.new_context(viewport={"width": 1000, "height": 1400})
    p = ctx.new_page()
    p.goto(path.as_uri())
    p.evaluate("document.fonts.ready")
    yield p
    ctx.close()


def test_page_is_not_blank(page):
    img = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("L")
    colours = img.getcolors(maxcolors=1_000_000) or []
    assert img.height > 2000
    assert len(colours) > 50  # text, tables and charts, not an empty white page


def test_embedded_font_is_loaded(page):
    assert page.evaluate("document.fonts.check(\"16px SuqiuCJK\", \"诉求周报\")")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('SuqiuCJK') && f.status === 'loaded')")


def test_no_missing_glyph_boxes(page):
    text = page.inner_text("body")
    chars = sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
    assert len(chars) > 100
    assert page.evaluate(GLYPH_PROBE, chars) == []


def test_title_rendered(page):
    assert page.inner_text("h1") == "福州市群众诉求周报"
