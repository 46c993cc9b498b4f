import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from suqiu.weeks import Week, last_complete_week
from reports.render import to_docx, to_html, to_xlsx
from reports.weekly import build_weekly
from tests.reports.sample import week_data


@pytest.fixture(scope="module")
def report():
    return build_weekly(week_data())


def test_week_parse_and_bounds():
    w = Week.parse("2026-W47")
    assert (w.start.day, w.start.month, w.end.day) == (16, 11, 23)
    assert str(w.shift(-1)) == "2026-W46"


def test_week_parse_rejects_nonsense():
    with pytest.raises(ValueError, match="ISO week"):
        Week.parse("2026-47")


def test_last_complete_week_on_monday_morning():
    from datetime import datetime
    from suqiu.model import SHANGHAI
    assert str(last_complete_week(datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))) == "2026-W47"


def test_sections_in_order(report):
    assert [s.key for s in report.sections] == ["volume", "topics", "hotspots", "districts", "sentiment",
                                               "urgent", "warnings", "departments", "replies"]


def test_volume_counts_and_change(report):
    text = report.sections[0].paragraphs[0]
    assert "本周共受理诉求 7 件" in text and "上周 3 件" in text and "+133%" in text


def test_rising_topic_found(report):
    topics = report.sections[1]
    rising = topics.tables[1]
    assert rising.rows[0][0] == "内河黑臭" and rising.rows[0][1] == 3


def test_urgent_critical_first_with_reasons(report):
    table = report.sections[5].tables[0]
    assert table.rows[0][0] == "特急" and "拖欠工资" in table.rows[0][5]


def test_district_profile_counts_unknown_district(report):
    rows = {r[0]: r for r in report.sections[3].tables[0].rows}
    assert rows["仓山区"][1] == 3 and rows["未识别"][1] == 1


def test_html_escapes_message_text():
    hot = [{"description": "<script>alert(1)</script>河道清淤", "places": "仓山区", "span": "11-16—11-20",
            "count": 3, "heat": 8.5}]
    html = to_html(build_weekly(week_data(hotspots=hot)))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_html_embeds_font_covering_all_text(report):
    from reports.cjk_font import covered_characters
    html = to_html(report)
    b64 = html.split("base64,", 1)[1].split(")", 1)[0]
    import re
    visible = re.sub(r"<[^>]+>|data:[^\"')]+", " ", html.split("</style>", 1)[1])
    missing = {c for c in visible if ord(c) > 0x2E80 and c not in covered_characters(b64)}
    assert not missing


def test_docx_structure(report):
    doc = Document(io.BytesIO(to_docx(report)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "一、诉求总体情况" in headings and "九、典型答复" in headings
    assert len(doc.tables) >= 5
    assert len(doc.inline_shapes) >= 2  # charts


def test_docx_sets_east_asian_font(report):
    data = to_docx(report)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:eastAsia="宋体"' in xml


def test_xlsx_appendix_neutralises_formulas(report):
    wb = load_workbook(io.BytesIO(to_xlsx(report)))
    assert "分渠道诉求量" in wb.sheetnames
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)   # no stray apostrophes


def test_empty_week_still_renders():
    import pandas as pd
    from reports.weekly import RECORD_COLUMNS
    r = build_weekly(week_data(records=pd.DataFrame(columns=RECORD_COLUMNS).astype({"received_at": "datetime64[ns, Asia/Shanghai]"})))
    assert "本周共受理诉求 0 件" in r.sections[0].paragraphs[0]
    assert to_docx(r) and to_html(r)


def test_demands_passed_on_more_than_once_shown():
    records = week_data().records.copy()
    records["transfer_count"] = [3, 0, 2, 1, 0, 0, 0] + [0] * (len(records) - 7)
    figures = [{"department": "生态环境局", "received": 3, "assigned": 5, "replied": 1, "overdue": 0, "passed_on": 2,
                "rankable": False}]
    r = build_weekly(week_data(records=records, department_figures=figures))
    assert any("转处理两次及以上（推诿）的诉求 2 件" in line for line in r.summary)
    dept = next(s for s in r.sections if s.key == "departments")
    table = dept.tables[0]
    assert table.rows[0][table.headers.index("多次转办")] == 2
    assert any("生态环境局 2 件" in p for p in dept.paragraphs)
