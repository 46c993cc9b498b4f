"""Render a Report to self-contained HTML (embedded font subset and charts), DOCX and XLSX."""

from __future__ import annotations

import base64
import io
import re

from jinja2 import Environment, PackageLoader, select_autoescape

from reports.cjk_font import FAMILY, font_face_css
from reports.document import Report
from reports.xlsx import workbook_bytes

DOCX_EAST_ASIAN_FONT = "宋体"   # what Chinese offices have; charts carry their own font as images
DOCX_HEADING_FONT = "黑体"


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


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)

    def heading(text: str, level: int) -> None:
        h = doc.add_heading(level=level)
        run = h.add_run(_xml_safe(text))
        _set_east_asian(run, DOCX_HEADING_FONT)

    def paragraph(text: str) -> None:
        p = doc.add_paragraph()
        _set_east_asian(p.add_run(_xml_safe(text)), DOCX_EAST_ASIAN_FONT)

    title = doc.add_heading(level=0)
    _set_east_asian(title.add_run(_xml_safe(report.title)), DOCX_HEADING_FONT)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_east_asian(sub.add_run(_xml_safe(report.subtitle)), DOCX_EAST_ASIAN_FONT)
    if report.summary:
        heading("摘要", 1)
        for line in report.summary:
            p = doc.add_paragraph(style="List Bullet")
            _set_east_asian(p.add_run(_xml_safe(line)), DOCX_EAST_ASIAN_FONT)
    for number, section in enumerate(report.sections, start=1):
        heading(f"{_cn_number(number)}、{section.title}", 1)
        for text in section.paragraphs:
            paragraph(text)
        for chart in section.charts:
            doc.add_picture(io.BytesIO(chart.png), width=Cm(16))
            cap = doc.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_east_asian(cap.add_run(_xml_safe(chart.title)), DOCX_EAST_ASIAN_FONT)
        for table in section.tables:
            heading(table.title, 2)
            if not table.rows:
                paragraph("（本期无数据）")
                continue
            t = doc.add_table(rows=1, cols=len(table.headers))
            t.style = "Table Grid"
            for cell, h in zip(t.rows[0].cells, table.headers):
                cell.text = ""
                run = cell.paragraphs[0].add_run(_xml_safe(h))
                run.bold = True
                _set_east_asian(run, DOCX_HEADING_FONT)
            for row in table.rows:
                cells = t.add_row().cells
                for cell, v in zip(cells, row):
                    cell.text = ""
                    _set_east_asian(cell.paragraphs[0].add_run(_xml_safe(v)), DOCX_EAST_ASIAN_FONT)
            if table.note:
                paragraph(table.note)
    foot = doc.add_paragraph()
    _set_east_asian(foot.add_run(f"生成时间：{report.generated_at:%Y-%m-%d %H:%M}（北京时间）"), DOCX_EAST_ASIAN_FONT)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The appendix: every table of the report as its own sheet."""
    sheets = []
    used: set[str] = set()
    for section in report.sections:
        for table in section.tables:
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
