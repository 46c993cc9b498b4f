from pathlib import Path

import pytest

from flows.report import weekly_report
from suqiu.model import build_demand

pytestmark = pytest.mark.slow


def test_weekly_report_flow_writes_three_files(home, prefect_harness):
    paths = weekly_report(home=str(home), week="2026-W47")
    assert {Path(p).suffix for p in paths.values()} == {".html", ".docx", ".xlsx"}
    assert all(Path(p).stat().st_size > 1000 for p in paths.values())


def test_weekly_report_task_unit(app):
    from flows.report import write_report
    app.store.upsert([build_demand({"source": "hotline", "source_id": "1", "received_at": "2026-11-17 10:00",
                                    "content": "路灯不亮"})])
    paths = write_report.fn(str(app.home), "2026-W47", None)
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "本周共受理诉求 1 件" in html
    assert "路灯不亮" not in html  # unanalysed records show no text: only masked text leaves the store
