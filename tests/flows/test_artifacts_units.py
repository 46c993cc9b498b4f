"""The artifact builders as plain functions of a pipeline result (no Prefect needed)."""

from __future__ import annotations

from flows.artifacts import count_rows, digest_rows, summary_markdown

RESULT = {
    "ingest": {"crawl": {"portal": {"items": 12, "new": 10, "updated": 1, "unchanged": 0, "quarantined": 1,
                                    "errors": 0, "run_id": "crawl-1"},
                         "weibo": {"source": "weibo", "error": "CrawlError: 未配置数据源 'weibo'"}},
               "import": {"/tmp/导出.xlsx": {"rows_read": 40, "new": 38, "updated": 0, "unchanged": 0,
                                             "quarantined": 2, "run_id": "import-1"}}},
    "analyze": {"pending": 48, "analyzed": 48},
    "route": {"route": {"routed": 40, "triage": 8},
              "digests": {"教育局": {"items": 3, "status": "outbox", "html": "/o/jyj.html", "xlsx": "/o/jyj.xlsx"}}},
    "index": {"indexed": 48, "profiles": 5, "topics": 6},
    "report": {"html": "/r/w.html", "docx": "/r/w.docx", "xlsx": "/r/w-附表.xlsx"},
}


def test_one_row_per_source_file_and_stage() -> None:
    rows = count_rows(RESULT)
    assert [(r["阶段"], r["对象"]) for r in rows][:3] == [("采集", "portal"), ("采集", "weibo"), ("导入", "导出.xlsx")]
    assert rows[2]["隔离"] == 2 and "未配置数据源" in rows[1]["错误"]


def test_digest_rows_carry_their_paths() -> None:
    assert digest_rows(RESULT) == [{"部门": "教育局", "条目": 3, "状态": "outbox", "HTML": "/o/jyj.html",
                                    "XLSX": "/o/jyj.xlsx"}]


def test_summary_lists_report_paths_and_quarantine() -> None:
    text = summary_markdown(RESULT, {"bad_date": 2, "content": 1})
    assert "`/r/w.docx`" in text and "- bad_date: 2" in text and "| 采集 | portal | 12 | 10 |" in text


def test_summary_says_when_nothing_was_quarantined() -> None:
    assert "本次运行没有隔离的数据" in summary_markdown({}, {})
