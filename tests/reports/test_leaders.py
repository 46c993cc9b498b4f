"""The leaders' reports: periods, 同比/环比, 每月一题 candidates and tracking, 督办 replies, files,
the pick, and the mail through the outbox/SMTP path."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from reports.leaders import change
from reports.leaders_collect import collect_leaders, pick_topic, write_leaders_report
from reports.leaders_flow import run_leaders_report
from reports.monthly_topic import candidates, tracking
from reports.periods import Period
from reports.weekly import RECORD_COLUMNS
from suqiu.model import SHANGHAI, Analysis, build_demand
from suqiu.store import now_local
from tests.twoway.test_delivery import free_port, start_smtp

ZJ, CG, HB = "住房和城乡建设局", "城市管理局", "生态环境局"


# ---------------------------------------------------------------- periods
@pytest.mark.parametrize("text,kind,start,end,name", [
    ("2026-11", "month", "2026-11-01", "2026-12-01", "2026年11月"),
    ("2026-12", "month", "2026-12-01", "2027-01-01", "2026年12月"),
    ("2026-Q4", "quarter", "2026-10-01", "2027-01-01", "2026年第四季度"),
    ("2026q1", "quarter", "2026-01-01", "2026-04-01", "2026年第一季度"),
    ("2026", "year", "2026-01-01", "2027-01-01", "2026年"),
])
def test_periods_parse_and_span(text, kind, start, end, name):
    p = Period.parse(text)
    assert p.kind == kind and p.start.date().isoformat() == start and p.end.date().isoformat() == end
    assert p.name == name and Period.parse(str(p)) == p and p.start.tzinfo is SHANGHAI


def test_previous_and_year_ago():
    p = Period.parse("2026-01")
    assert str(p.previous) == "2025-12" and str(p.year_ago) == "2025-01"
    assert str(Period.parse("2026-Q1").previous) == "2025-Q4" and str(Period.parse("2026").previous) == "2025"
    assert [str(m) for m in Period.parse("2026-Q2").months()] == ["2026-04", "2026-05", "2026-06"]
    now = datetime(2026, 12, 1, 8, tzinfo=SHANGHAI)
    assert [str(Period.last_complete(now, k)) for k in ("month", "quarter", "year")] == ["2026-11", "2026-Q3", "2025"]


@pytest.mark.parametrize("text", ["2026-13", "26-11", "2026-Q5", "W47", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_change_wording():
    assert [change(120, 100), change(80, 100), change(100, 100), change(5, 0), change(0, 0), change(5, None)] == [
        "+20%", "-20%", "持平", "新增", "持平", "—"]


# ---------------------------------------------------------------- 每月一题 on a frame
def frame(rows: list[dict]) -> pd.DataFrame:
    base = {c: None for c in RECORD_COLUMNS}
    df = pd.DataFrame([{**base, **r} for r in rows], columns=RECORD_COLUMNS)
    df["received_at"] = pd.to_datetime(list(df["received_at"]), utc=True).tz_convert(SHANGHAI)
    return df


def theme_rows(seed: int = 1) -> list[dict]:
    """Topic 1: every month, two departments, mostly open. Topic 2: one big month, answered and
    satisfied, one department. Topic 3: a trickle. Outliers: many."""
    rng, rows, n = random.Random(seed), [], 0
    for month in range(5, 12):                      # 2026-05 … 2026-11
        for topic, count, depts, status in ((1, 8, (ZJ, CG), "routed"), (3, 2, (HB,), "closed")):
            for i in range(count):
                n += 1
                rows.append({"id": f"r{n}", "received_at": datetime(2026, month, 1 + i * 3, 10, tzinfo=SHANGHAI),
                             "topic_id": topic, "department": depts[i % len(depts)], "status": status})
    for i in range(20):
        n += 1
        rows.append({"id": f"r{n}", "received_at": datetime(2026, 11, 1 + i, 9, tzinfo=SHANGHAI), "topic_id": 2,
                     "department": HB, "status": "closed", "satisfaction": "满意"})
    rows += [{"id": f"o{i}", "received_at": datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), "topic_id": -1,
              "department": HB, "status": "routed"} for i in range(30)]
    rng.shuffle(rows)
    return rows


def test_candidates_are_ranked_with_their_reasons():
    found = candidates(frame(theme_rows()), Period.parse("2026-11"), {1: "物业 收费", 2: "噪音 施工", 3: "路灯"})
    assert [c.topic_id for c in found] == [1, 2]          # the trickle qualifies for nothing, outliers are no theme
    one, two = found
    assert set(one.flags) == {"volume", "persistent", "cross_department", "unsolved"}
    assert one.months_with_demands == 6 and [d for d, _ in one.departments] == [ZJ, CG]
    assert any("近 6 个月中 6 个月" in r for r in one.reasons) and any("涉及 2 个承办部门" in r for r in one.reasons)
    assert any("未办结或群众不满意" in r for r in one.reasons)
    assert two.flags == ("volume",) and two.reasons[0] == "2026年11月诉求 20 件，居各话题第 1 位"
    assert one.score > two.score


def test_tracking_compares_before_and_after_the_pick():
    t = tracking(frame(theme_rows()), 1, Period.parse("2026-09"), Period.parse("2026-11"))
    assert t["before"]["volume"] == 8.0 and t["before"]["unsolved_share"] == 1.0      # Jun–Aug, per month
    assert [m["month"] for m in t["after"]] == ["2026-09", "2026-10", "2026-11"]
    assert all(m["volume"] == 8 for m in t["after"])


# ---------------------------------------------------------------- against a store
MONTHS = [(2025, m) for m in range(10, 13)] + [(2026, m) for m in range(1, 12)]   # 2025-10 … 2026-11


def seed_history(app, grow_last: int = 10) -> None:
    """Fourteen months of demands (two topics, two departments), replies of varying quality."""
    demands, analyses, n = [], [], 0
    for year, month in MONTHS:
        count = 12 + (grow_last if (year, month) == (2026, 11) else 0)
        for i in range(count):
            n += 1
            at = datetime(year, month, 1 + i % 27, 9 + i % 8, tzinfo=SHANGHAI)
            topic, dept = (1, ZJ) if i % 3 else (2, CG)
            replied = i % 2 == 0
            d = build_demand({
                "source": "hotline", "source_id": f"L{n}", "received_at": at, "channel": "电话" if i % 4 else "微信",
                "title": "小区物业乱收费" if topic == 1 else "占道经营", "content": "小区物业乱收费，多次反映无人处理",
                "district": "鼓楼区" if i % 2 else "台江区", "department_given": dept,
                "status": "replied" if replied else "received", "replied_at": at + timedelta(days=3) if replied else None,
                "reply_text": ("经查，物业收费已责令整改，退还多收费用，联系电话13812345678。" if i % 4 == 0 else "已收到。")
                if replied else None, "satisfaction": ("满意" if i % 4 == 0 else "不满意") if replied else None})
            demands.append(d)
            analyses.append(Analysis(record_id=d.id, masked_title=d.title, masked_text=d.content,
                                     normalized_text=d.content, topic_id=topic, keywords=["物业", "收费"]))
    app.store.upsert(demands)
    app.store.save_analysis(analyses, stage="analyze")
    app.store.write_topics({1: {"label": "物业 收费", "keywords": ["物业", "收费"]},
                            2: {"label": "占道 经营", "keywords": ["占道", "经营"]}}, now_local(), emerging=False)


def test_monthly_report_has_month_on_month_year_on_year_and_the_candidates(app, tmp_path):
    seed_history(app)
    data = collect_leaders(app, Period.parse("2026-11"), now=datetime(2026, 12, 1, 8, tzinfo=SHANGHAI))
    assert len(data.records) > 0 and data.candidates and data.candidates[0].topic_id == 1
    paths = write_leaders_report(app, Period.parse("2026-11"), tmp_path, now=datetime(2026, 12, 1, 8, tzinfo=SHANGHAI))
    html = open(paths["html"], encoding="utf-8").read()
    assert "福州市群众诉求月报" in html and "2026年11月" in html
    assert "本月共受理诉求 22 件，上月 12，环比 +83%；去年同期 12，同比 +83%。" in html
    assert "每月一题候选" in html and "物业 收费" in html and "答复质量最低（建议督办）" in html
    assert "13812345678" not in html and "[手机号]" in html            # replies masked on the way out
    doc = Document(paths["docx"])
    assert any("每月一题候选" in p.text for p in doc.paragraphs)
    sheets = load_workbook(paths["xlsx"]).sheetnames
    assert "每月一题候选（按综合得分）" in sheets and "答复质量最低（建议督办）" in sheets


def test_year_on_year_is_computed_where_the_history_reaches(app, tmp_path):
    seed_history(app)
    paths = write_leaders_report(app, Period.parse("2026-10"), tmp_path)
    html = open(paths["html"], encoding="utf-8").read()
    assert "本月共受理诉求 12 件，上月 12，环比 持平；去年同期 12，同比 持平。" in html   # 2025-10 is in the history
    early = open(write_leaders_report(app, Period.parse("2025-10"), tmp_path / "e")["html"], encoding="utf-8").read()
    assert "上月 无数据，环比 —；去年同期 无数据，同比 —" in early               # before the history: unknown, not zero


def test_a_period_the_history_covers_only_in_part_is_not_compared(app, tmp_path):
    seed_history(app)                                     # the history starts on 2025-10-01
    mid = build_demand({"source": "hotline", "source_id": "early", "received_at": datetime(2025, 9, 20, 9, tzinfo=SHANGHAI),
                        "title": "占道经营", "content": "占道经营"})
    app.store.upsert([mid])                               # one demand late in September 2025
    html = open(write_leaders_report(app, Period.parse("2025-10"), tmp_path)["html"], encoding="utf-8").read()
    assert "上月 无数据，环比 —" in html                   # one demand of September is not September's count
    y = open(write_leaders_report(app, Period.parse("2026"), tmp_path / "y")["html"], encoding="utf-8").read()
    assert "本年受理诉求" in y and "环比" not in y.split("本年受理诉求", 1)[1].split("。", 1)[0]


def test_quarterly_and_yearly_reports(app, tmp_path):
    seed_history(app)
    q = write_leaders_report(app, Period.parse("2026-Q3"), tmp_path / "q")
    y = write_leaders_report(app, Period.parse("2026"), tmp_path / "y")
    assert "诉求季报-2026-Q3.html" in q["html"] and "本季度共受理诉求 36 件" in open(q["html"], encoding="utf-8").read()
    assert "2026年" in open(y["html"], encoding="utf-8").read()


def test_the_chosen_theme_is_tracked_in_later_reports(app, tmp_path):
    seed_history(app)
    pick = pick_topic(app, "2026-09", 1, by="office", note="群众反映集中")
    assert pick["label"] == "物业 收费" and app.store.documents("topic_pick")["2026-09"]["topic_id"] == 1
    html = open(write_leaders_report(app, Period.parse("2026-11"), tmp_path)["html"], encoding="utf-8").read()
    assert "2026年9月每月一题：物业 收费" in html and "选题前三个月（月均）" in html
    with pytest.raises(ValueError):
        pick_topic(app, "2026-09", 99)
    pick_topic(app, "2026-09", 2)                                           # a new pick replaces the month's
    assert app.store.documents("topic_pick")["2026-09"]["topic_id"] == 2


def test_report_is_mailed_to_the_recipients_through_the_outbox(app, tmp_path):
    seed_history(app)
    port = free_port()
    ctl, inbox = start_smtp(port)
    try:
        app.config.smtp.port = port
        app.config.reports.recipients = ["mayor@example.gov.cn", "office@example.gov.cn"]
        result = run_leaders_report(app, Period.parse("2026-11"), tmp_path, email=True)
    finally:
        ctl.stop()
    assert result["mail"]["status"] == "sent"
    _, rcpts, raw = inbox.messages[0]
    assert sorted(rcpts) == ["mayor@example.gov.cn", "office@example.gov.cn"]
    msg = message_from_bytes(raw, policy=policy.default)
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["诉求月报-2026-11.html", "诉求月报-2026-11.docx", "诉求月报-2026-11-附表.xlsx"]
    assert app.store.delivery(result["mail"]["delivery_id"])["status"] == "sent"


def test_without_recipients_or_smtp_nothing_is_sent(app, tmp_path):
    seed_history(app)
    assert run_leaders_report(app, Period.parse("2026-11"), tmp_path, email=True)["mail"]["status"] == "skipped"
    app.config.reports.recipients = ["mayor@example.gov.cn"]
    mail = run_leaders_report(app, Period.parse("2026-11"), tmp_path, email=True)["mail"]
    assert mail["status"] == "outbox" and io.open(mail["eml"], "rb").read().startswith(b"From:")


def test_replies_to_praise_are_not_put_up_for_supervision(app, tmp_path):
    seed_history(app)
    thanks = build_demand({"source": "hotline", "source_id": "T1", "received_at": datetime(2026, 11, 20, 9, tzinfo=SHANGHAI),
                           "content": "感谢城管队员及时处理", "status": "replied", "reply_text": "感谢您的肯定。",
                           "replied_at": datetime(2026, 11, 21, 9, tzinfo=SHANGHAI), "department_given": CG})
    app.store.upsert([thanks])
    app.store.save_analysis([Analysis(record_id=thanks.id, masked_text=thanks.content, masked_title="",
                                      normalized_text=thanks.content, sentiment_label="positive")], stage="analyze")
    data = collect_leaders(app, Period.parse("2026-11"))
    mine = next(r for r in data.replies if r["id"] == thanks.id)
    assert mine["praise"] and mine["quality"] < 0.5
    from reports.leaders import replies_section
    worst = replies_section(data).tables[0]
    assert "感谢城管队员及时处理" not in str(worst.rows)
