"""Render a Report to self-contained HTML (embedded font subset and charts), DOCX and XLSX."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from jinja2 import Environment, PackageLoader, select_autoescape

from reports.cjk_font import FAMILY, font_face_css
from reports.document import Report
from reports.xlsx import display_width, workbook_bytes

DOCX_EAST_ASIAN_FONT = "宋体"   # what Chinese offices have; charts carry their own font as images
DOCX_HEADING_FONT = "黑体"
DOCX_WIDEST, DOCX_NARROWEST = 40, 5   # a column's text width counted for sizing, in half-width characters


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def to_html(report: Report) -> str:
    template = _env().get_template("report.html.j2")
    # the template adds words of its own (摘要, 生成时间 …): subset over everything rendered
    draft = template.render(report=report, font_css="", font_family=FAMILY)
    visible = re.sub(r"<[^>]+>|data:[^\"')]+", " ", draft)
    return template.render(report=report, font_css=font_face_css(visible), font_family=FAMILY)


def _set_east_asian(run, name: str) -> None:
    from docx.oxml.ns import qn
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(value: object) -> str:
    """Word's XML cannot hold control characters; drop them rather than fail the whole report."""
    return _CONTROL.sub("", "" if value is None else str(value))


def column_widths(table: Any, usable: int) -> list[int]:
    """Each column's share of the usable width (EMU), by how wide its widest text is (CJK counts two).

    A column's text counts up to ``DOCX_WIDEST`` half-width characters (longer text wraps), and at
    least ``DOCX_NARROWEST``, so a description gets the room and a count column stays narrow.
    """
    weights = []
    for i, header in enumerate(table.headers):
        texts = [_xml_safe(header)] + [_xml_safe(row[i]) for row in table.rows if i < len(row)]
        weights.append(min(DOCX_WIDEST, max(DOCX_NARROWEST, *(display_width(t) for t in texts))) + 2)  # + padding
    total = sum(weights) or 1
    return [int(usable * w / total) for w in weights]


def _docx_table(doc: Any, table: Any) -> None:
    """One report table: bold header row, every cell in the Chinese font, columns sized to their text."""
    t = doc.add_table(rows=1, cols=len(table.headers))
    t.style = "Table Grid"
    t.autofit = False
    section = doc.sections[-1]
    widths = column_widths(table, int(section.page_width - section.left_margin - section.right_margin))
    for cell, h in zip(t.rows[0].cells, table.headers):
        cell.text = ""
        run = cell.paragraphs[0].add_run(_xml_safe(h))
        run.bold = True
        _set_east_asian(run, DOCX_HEADING_FONT)
    for row in table.rows:
        for cell, v in zip(t.add_row().cells, row):
            cell.text = ""
            _set_east_asian(cell.paragraphs[0].add_run(_xml_safe(v)), DOCX_EAST_ASIAN_FONT)
    for column, width in zip(t.columns, widths):
        column.width = width          # the table grid (what LibreOffice reads) …
        for cell in column.cells:
            cell.width = width        # … and each cell (what Word reads)


def _docx_text(doc: Any, text: str, style: str | None = None, font: str = DOCX_EAST_ASIAN_FONT,
               centre: bool = False) -> None:
    p = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_east_asian(p.add_run(_xml_safe(text)), font)


def _docx_heading(doc: Any, text: str, level: int) -> Any:
    h = doc.add_heading(level=level)
    _set_east_asian(h.add_run(_xml_safe(text)), DOCX_HEADING_FONT)
    return h


def _docx_section(doc: Any, number: int, section: Any) -> None:
    _docx_heading(doc, f"{_cn_number(number)}、{section.title}", 1)
    for text in section.paragraphs:
        _docx_text(doc, text)
    for chart in section.charts:
        doc.add_picture(io.BytesIO(chart.png), width=Cm(16))
        _docx_text(doc, chart.title, centre=True)
    for table in section.tables:
        _docx_heading(doc, table.title, 2)
        if not table.rows:
            _docx_text(doc, "（本期无数据）")
            continue
        _docx_table(doc, table)
        if table.note:
            _docx_text(doc, table.note)


def to_docx(report: Report) -> bytes:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10.5)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    _docx_heading(doc, report.title, 0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_text(doc, report.subtitle, centre=True)
    if report.summary:
        _docx_heading(doc, "摘要", 1)
        for line in report.summary:
            _docx_text(doc, line, style="List Bullet")
    for number, section in enumerate(report.sections, start=1):
        _docx_section(doc, number, section)
    _docx_text(doc, f"生成时间：{report.generated_at:%Y-%m-%d %H:%M}（北京时间）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The appendix: every table of the report as its own sheet, then the appendix-only tables."""
    sheets = []
    used: set[str] = set()
    for table in [t for section in report.sections for t in section.tables] + report.appendix:
        name = re.sub(r"[\[\]:*?/\\]", "", table.title)[:28] or "表"
        base, i = name, 2
        while name in used:
            name, i = f"{base[:26]}{i}", i + 1
        used.add(name)
        sheets.append((name, table.headers, table.rows))
    return workbook_bytes(sheets)


_DIGITS = "零一二三四五六七八九十"


def _cn_number(n: int) -> str:
    if n <= 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + _DIGITS[n - 10]
    return str(n)
