"""The weekly report's collector reads the store and emits masked text only."""

from datetime import datetime

from suqiu.weeks import Week
from suqiu.model import SHANGHAI, Analysis, build_demand
from reports.collect import collect_weekly, write_weekly_report

W = Week(2026, 47)


def _seed(store):
    store.upsert([
        build_demand({"source": "hotline", "source_id": "a", "received_at": "2026-11-17 09:00", "title": "电梯停运",
                      "content": "电梯停运一周，联系电话13912345678", "status": "replied", "reply_text":
                      "经核查，物业已于18日修复电梯，如有问题请拨打13987654321。", "replied_at": "2026-11-18 10:00",
                      "replied_by": "住房和城乡建设局", "satisfaction": "满意"}),
        build_demand({"source": "hotline", "source_id": "b", "received_at": "2026-11-10 09:00",
                      "content": "上周的噪音投诉"}),
    ])
    store.save_analysis([Analysis(record_id="hotline:a", masked_title="电梯停运", normalized_text="电梯停运一周",
                                  masked_text="电梯停运一周，联系电话[手机号]", department="住房和城乡建设局",
                                  sentiment_label="negative", urgency_level="high", urgency_reasons=["电梯停运"])])


def test_records_of_window_with_masked_text_only(app):
    _seed(app.store)
    data = collect_weekly(app, W, now=datetime(2026, 11, 23, 8, tzinfo=SHANGHAI))
    assert set(data.records["id"]) == {"hotline:a", "hotline:b"}
    row = data.records.set_index("id").loc["hotline:a"]
    assert "13912345678" not in str(row.to_dict())


def test_notable_reply_is_masked(app):
    _seed(app.store)
    data = collect_weekly(app, W, now=datetime(2026, 11, 23, 8, tzinfo=SHANGHAI))
    assert data.notable_replies and "13987654321" not in data.notable_replies[0]["reply"]
    assert "[手机号]" in data.notable_replies[0]["reply"]


def test_report_files_hold_no_raw_phone_numbers(app):
    import zipfile
    _seed(app.store)
    paths = write_weekly_report(app, W, now=datetime(2026, 11, 23, 8, tzinfo=SHANGHAI))
    html = open(paths["html"], encoding="utf-8").read()
    assert "电梯停运" in html
    blobs = [html] + [zipfile.ZipFile(paths[k]).read(n).decode("utf-8", "ignore")
                      for k in ("docx", "xlsx") for n in zipfile.ZipFile(paths[k]).namelist()]
    assert not any("13912345678" in b or "13987654321" in b for b in blobs)


def test_appendix_shows_the_weeks_imports_by_reason_masked(app, tmp_path):
    import io
    from openpyxl import load_workbook
    from crawlers.importers.run import import_file
    from suqiu.store import now_local
    export = tmp_path / "导出.csv"
    export.write_text("工单编号,来电时间,诉求内容\nGD1,2026-11-02 09:00,路灯坏了\n"
                      "GD2,2026-13-40,井盖破损请回电13812345678\n", encoding="utf-8")
    import_file(app.store, app.config, export)          # recorded without a masker: no cell text kept
    paths = write_weekly_report(app, Week.of(now_local()), tmp_path / "out")
    wb = load_workbook(io.BytesIO(open(paths["xlsx"], "rb").read()))
    runs = [[c.value for c in r] for r in wb["导入数据质量"].iter_rows(min_row=2)]
    reasons = [[c.value for c in r] for r in wb["导入隔离原因"].iter_rows(min_row=2)]
    assert runs[0][0] == "导出.csv" and (runs[0][3], runs[0][4], runs[0][7]) == (2, 1, 1)
    assert reasons[0][:4] == ["导出.csv", "bad_date", "日期无法识别", 1] and reasons[0][4].endswith(":3")
    assert "13812345678" not in str(reasons)
