"""Every XLSX the project writes is one a clerk can work with, and LibreOffice opens each file.

Read back with openpyxl: numbers are numbers (with percent / decimal / date formats), no cell is a
number written as text, text that could run as a formula is inert without a stray apostrophe, the
header row is frozen with filters and columns fit Chinese text. Then LibreOffice headless (Debian's
package, ``tests/provision/libreoffice.sh``) converts each XLSX and the weekly DOCX.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.digest import build_digest, render_xlsx
from reports.document import Table
from reports.render import to_docx, to_xlsx
from reports.values import Number, Percent
from reports.weekly import build_weekly
from suqiu.model import SHANGHAI
from suqiu.web.export import export_xlsx
from tests.reports.sample import week_data

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
NUMBER_AS_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?%?$")
FIGURES = [
    {"department": "生态环境局", "received": 4, "assigned": 12, "replied": 9, "overdue": 1, "rankable": True,
     "median_response_days": Number(2.46, 1), "on_time_rate": Percent(0.88), "satisfaction_rate": Percent(0.75),
     "reopen_rate": Percent(0.05), "reply_quality": Number(0.4213, 2)},
    {"department": "教育局", "received": 1, "assigned": 2, "replied": 1, "overdue": 0, "rankable": False,
     "median_response_days": Number(None), "on_time_rate": Percent(None), "satisfaction_rate": Percent(None),
     "reopen_rate": Percent(None), "reply_quality": Number(None)},
]
HOTSPOT = {"description": "龙津河黑臭扰民，沿岸居民反映夜间臭味明显，希望尽快清淤治理", "places": "仓山区",
           "span": "11-16—11-20", "count": 3, "heat": 8.5}


def weekly_xlsx() -> bytes:
    data = week_data(hotspots=[HOTSPOT], department_figures=FIGURES,
                     notable_replies=[{"department": "生态环境局", "title": "龙津河黑臭", "reply": "已安排清淤。",
                                       "quality": Number(0.8123, 2), "days": Number(3.04, 1)}],
                     appendix=[Table("导入数据质量", ["文件", "读取行数", "隔离"], [["导出.xlsx", 40, 2]])])
    return to_xlsx(build_weekly(data))


def digest_xlsx() -> bytes:
    items = [{"record_id": "hotline:1", "title": "=1+1 路灯不亮", "text": "五四路路灯坏了一个月", "received_at": T0,
              "due_at": T0 + timedelta(days=7), "urgency": "high"}]
    overdue = [{"record_id": "hotline:0", "received_at": T0 - timedelta(days=20), "due_at": T0 - timedelta(days=5),
                "overdue_days": 5.04, "status": "routed", "urgency": "low"}]
    figures = {"assigned": 12, "on_time_rate": 0.875, "response_hours_median": 30.25, "reply_quality_mean": 0.4213,
               "rankable": True}
    return render_xlsx(build_digest("住房和城乡建设局", "day", T0 - timedelta(days=1), T0, items, generated_at=T0,
                                    city="福州市", overdue=overdue, figures=figures))


def search_xlsx() -> bytes:
    return export_xlsx([{"id": "portal:7", "source": "portal", "channel": "市长信箱", "received_at": "2026-11-02T08:30:00+08:00",
                         "district": "鼓楼区", "title": "@SUM(A1) 噪音扰民", "content": "夜间施工噪音，电话[手机号]，希望相关部门尽快处理",
                         "department": "城市管理局", "status": "routed", "topic": 3, "keywords": ["噪音", "施工"]}])


FILES = {"weekly": weekly_xlsx, "digest": digest_xlsx, "search": search_xlsx}


def sheets(data: bytes) -> dict[str, dict[str, list]]:
    """{sheet: {header: [cells below it]}}."""
    wb = load_workbook(io.BytesIO(data))
    out = {}
    for ws in wb:
        rows = list(ws.iter_rows())
        out[ws.title] = {h.value: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])}
    return out


def values(cells) -> list:
    return [c.value for c in cells]


@pytest.fixture(scope="module", params=sorted(FILES))
def workbook(request) -> tuple[str, bytes]:
    return request.param, FILES[request.param]()


def test_no_number_is_stored_as_text(workbook) -> None:
    _, data = workbook
    wb = load_workbook(io.BytesIO(data))
    texts = [c.value for ws in wb for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if NUMBER_AS_TEXT.match(t.strip())]


def test_no_stray_apostrophe_and_no_formula(workbook) -> None:
    _, data = workbook
    cells = [c for ws in load_workbook(io.BytesIO(data)) for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)


def test_header_frozen_with_filters(workbook) -> None:
    _, data = workbook
    for ws in load_workbook(io.BytesIO(data)):
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")


def test_columns_fit_chinese_text(workbook) -> None:
    from reports.xlsx import display_width
    _, data = workbook
    for ws in load_workbook(io.BytesIO(data)):
        for col in ws.iter_cols(max_row=1):
            letter, header = col[0].column_letter, str(col[0].value)
            assert ws.column_dimensions[letter].width >= min(60, display_width(header)), (ws.title, header)


def test_weekly_changes_and_shares_are_numbers() -> None:
    book = sheets(weekly_xlsx())
    change = [c for c in book["分渠道诉求量"]["环比"] if not isinstance(c.value, str)]
    assert change and all(isinstance(c.value, (int, float)) and c.number_format == "+0%;-0%;0%" for c in change)
    assert {c.value for c in book["分渠道诉求量"]["环比"] if isinstance(c.value, str)} <= {"新增", "持平"}
    negative = book["各区诉求画像"]["负面占比"]
    assert all(isinstance(c.value, (int, float)) and c.number_format == "0%" for c in negative)
    assert all(isinstance(v, int) for v in values(book["各区诉求画像"]["本周件数"]))


def test_weekly_department_figures_are_numbers() -> None:
    rows = sheets(weekly_xlsx())["各部门办理情况"]
    first = {h: cells[0] for h, cells in rows.items()}
    assert first["按时答复率"].value == 0.88 and first["按时答复率"].number_format == "0%"
    assert first["答复用时中位数(天)"].value == 2.46 and first["答复用时中位数(天)"].number_format == "0.0"
    assert first["答复质量"].number_format == "0.00"
    assert rows["按时答复率"][1].value == "样本不足"   # too few demands: said, not a number


def test_weekly_times_are_dates() -> None:
    times = sheets(weekly_xlsx())["紧急诉求清单"]["时间"]
    assert times and all(isinstance(c.value, datetime) and c.number_format == "yyyy-mm-dd hh:mm" for c in times)


def test_weekly_appendix_sheet_present() -> None:
    assert sheets(weekly_xlsx())["导入数据质量"]["读取行数"][0].value == 40


def test_digest_figures_and_overdue_are_numbers() -> None:
    book = sheets(digest_xlsx())
    figures = dict(zip(values(book["答复情况"]["指标"]), book["答复情况"]["数值"]))
    assert figures["按时答复率"].value == 0.875 and figures["按时答复率"].number_format == "0.0%"
    assert figures["答复时长中位数（小时）"].value == 30.25 and figures["答复时长中位数（小时）"].number_format == "0.0"
    assert book["超期未办结"]["超期天数"][0].value == 5.04 and isinstance(book["超期未办结"]["受理时间"][0].value, datetime)


def test_digest_formula_text_shown_as_written() -> None:
    cell = sheets(digest_xlsx())["新诉求"]["标题"][0]
    assert cell.value == "=1+1 路灯不亮" and cell.data_type == "s" and cell.quotePrefix


def test_search_export_time_is_a_date() -> None:
    cell = sheets(search_xlsx())["检索结果"]["受理时间"][0]
    assert cell.value == datetime(2026, 11, 2, 8, 30) and cell.number_format == "yyyy-mm-dd hh:mm"


def test_docx_columns_sized_to_their_content() -> None:
    from docx import Document
    doc = Document(io.BytesIO(to_docx(build_weekly(week_data(hotspots=[HOTSPOT])))))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "问题描述")
    widths = [c.width for c in table.columns]
    assert widths[1] == max(widths) and widths[1] > 3 * widths[0]   # the description, not the 序号


# ------------------------------------------------------------------ LibreOffice headless
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed: `make test` installs Debian's libreoffice-calc/-writer")
        pytest.skip("LibreOffice is not installed: run through `make test` (tests/provision/libreoffice.sh)")
    return exe


def convert(path: Path, target: str, tmp: Path) -> Path:
    out = tmp / "out"
    proc = subprocess.run([soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                           "--convert-to", target, "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    result = out / f"{path.stem}.{target.split(':')[0]}"
    assert proc.returncode == 0 and result.exists() and result.stat().st_size > 0, proc.stderr[-2000:]
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FILES))
def test_libreoffice_converts_each_workbook(name, tmp_path) -> None:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(FILES[name]())
    ods = convert(path, "ods", tmp_path)
    assert ods.read_bytes()[:2] == b"PK"


@pytest.mark.slow
def test_libreoffice_reads_numbers_as_numbers(tmp_path) -> None:
    """Calc itself, re-saving the appendix: the change column comes back as numbers, =… as text."""
    path = tmp_path / "digest.xlsx"
    path.write_bytes(digest_xlsx())
    again = convert(path, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    book = sheets(again.read_bytes())
    assert book["超期未办结"]["超期天数"][0].value == 5.04
    assert book["新诉求"]["标题"][0].value == "=1+1 路灯不亮" and book["新诉求"]["标题"][0].data_type == "s"


@pytest.mark.slow
def test_libreoffice_converts_the_docx(tmp_path) -> None:
    path = tmp_path / "weekly.docx"
    path.write_bytes(to_docx(build_weekly(week_data(hotspots=[HOTSPOT], department_figures=FIGURES))))
    pdf = convert(path, "pdf", tmp_path)
    assert pdf.read_bytes()[:5] == b"%PDF-"


# ------------------------------------------------------------------ the leak audit reads numbers right
def test_audit_ignores_the_fraction_of_a_date_serial() -> None:
    from reports.audit import mobile_numbers, xml_texts
    from reports.xlsx import workbook_bytes
    at = datetime(2026, 11, 20, 4, 40, 58, 520000)   # serial 46346.19512731482: "19512731482" looks like a mobile
    texts = xml_texts(workbook_bytes([("表", ["时间"], [[at]])]))
    assert not any(mobile_numbers(t) for t in texts)


def test_audit_still_finds_a_mobile_stored_as_a_number() -> None:
    from reports.audit import mobile_numbers, xml_texts
    from reports.xlsx import workbook_bytes
    texts = xml_texts(workbook_bytes([("表", ["电话"], [[13812345678]])]))
    assert any("13812345678" in mobile_numbers(t) for t in texts)
