from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from reports.digest import build_digest, collapse_duplicates, render_html, render_text, render_xlsx
from reports.digests import DigestError, make_digest, new_items
from suqiu.twoway.dispatch import reassign, route_pending
from tests.twoway.seed import HOUSING, LABOUR, T0, TRAFFIC


def _item(rid: str, text: str = "内容", **kw):
    base = {"record_id": rid, "title": f"标题{rid}", "text": text, "received_at": T0}
    base.update(kw)
    return base


def _digest(items, **kw):
    return build_digest(HOUSING, "day", T0 - timedelta(days=1), T0, items, generated_at=T0, city="福州市", **kw)


# ------------------------------------------------------------------ pure builder
def test_duplicates_collapse_with_their_count():
    d = _digest([_item("a", dup_group="g"), _item("b", dup_group="g"), _item("c")])
    entries = [e for g in d.groups for e in g.entries]
    assert sorted(e.count for e in entries) == [1, 2]
    assert d.entry_count == 2 and d.submission_count == 3
    assert sorted(d.record_ids) == ["a", "b", "c"]


def test_collapse_keeps_the_earliest_submission():
    pairs = collapse_duplicates([_item("late", dup_group="g", received_at=T0 + timedelta(hours=1)),
                                 _item("early", dup_group="g")])
    assert pairs[0][0]["record_id"] == "early"


def test_urgent_first_within_and_across_groups():
    d = _digest([_item("a", topic_id=1, urgency="low"), _item("b", topic_id=1, urgency="critical"),
                 _item("c", topic_id=2, urgency="medium"), _item("d", topic_id=2), _item("e", topic_id=2)],
                topic_labels={1: "电梯", 2: "物业"})
    assert [g.label for g in d.groups] == ["电梯", "物业"]
    assert d.groups[0].entries[0].record_id == "b"


def test_group_takes_most_urgent_level_of_its_duplicates():
    d = _digest([_item("a", dup_group="g", urgency="low"), _item("b", dup_group="g", urgency="high")])
    assert d.groups[0].entries[0].urgency == "high" and d.urgent_count == 1


def test_group_label_falls_back_to_keywords():
    d = _digest([_item("a", topic_id=7, keywords=["停车费", "物业"]), _item("b", topic_id=7, keywords=["物业"])])
    assert d.groups[0].label.startswith("物业")


def test_demands_in_no_topic_are_grouped_as_other():
    d = _digest([_item("a", topic_id=-1, keywords=["噪音"]), _item("b", topic_id=None), _item("c", topic_id=1)],
                topic_labels={1: "电梯·维修基金"})
    assert sorted(g.label for g in d.groups) == ["其他", "电梯·维修基金"]
    assert not any("-1" in g.label for g in d.groups)


def test_html_escapes_everything():
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    d = _digest([_item("a", text=evil, title='"><b>t</b>')],
                hotspots=[{"label": "<i>热点</i>", "count": 3}], warnings=[{"label": "<u>w</u>", "level": "高"}])
    html = render_html(d)
    assert "<script>" not in html and "<img" not in html and "<i>热点" not in html and "<b>t</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;热点" in html


def test_html_is_email_safe():
    html = render_html(_digest([_item("a")]))
    assert "<style" not in html and "<link" not in html and "<script" not in html
    assert "http://" not in html and "https://" not in html
    assert 'style="' in html


def test_html_caps_entries_per_group_and_points_to_attachment():
    d = _digest([_item(f"r{i}", topic_id=1) for i in range(25)])
    html = render_html(d, per_group=20)
    assert "另有 5 件" in html


def test_xlsx_neutralises_formula_injection():
    d = _digest([_item("a", text="=HYPERLINK(\"http://x\",\"点我\")", title="+1+1"),
                 _item("b", text="@SUM(A1)", title="-2")])
    ws = load_workbook(io.BytesIO(render_xlsx(d)))["新诉求"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    for payload in ("=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "@SUM(A1)", "-2"):
        # inert text, shown exactly as written (no apostrophe added), still text when edited
        assert cells[payload].data_type == "s" and cells[payload].quotePrefix
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_lists_every_entry_even_beyond_the_html_cap():
    d = _digest([_item(f"r{i}", topic_id=1) for i in range(25)])
    ws = load_workbook(io.BytesIO(render_xlsx(d)))["新诉求"]
    assert ws.max_row == 26


def test_text_part_mentions_urgent_and_duplicates():
    d = _digest([_item("a", urgency="critical"), _item("b", dup_group="g"), _item("c", dup_group="g")])
    text = render_text(d)
    assert "[特急]" in text and "重复反映 2 次" in text


def test_subject_counts():
    d = _digest([_item("a", urgency="high")], overdue=[{"record_id": "x", "overdue_days": 2.0}])
    assert "新诉求 1 件" in d.subject and "紧急 1 件" in d.subject and "超期 1 件" in d.subject


# ------------------------------------------------------------------ from the store
def test_digest_carries_only_the_departments_routed_demands(app, seeded):
    route_pending(app)
    digest, ids = make_digest(app, HOUSING, "day", now=T0 + timedelta(days=1))
    assert sorted(ids) == ["hotline:h1", "hotline:h2", "hotline:h3"]
    assert digest.entry_count == 2 and digest.submission_count == 3   # h1+h2 are duplicates
    assert digest.groups[0].entries[0].record_id == "hotline:h3"      # critical first


def test_digest_uses_masked_text_only(app, seeded):
    route_pending(app)
    digest, _ = make_digest(app, HOUSING, "week", now=T0 + timedelta(days=1))
    html, xlsx = render_html(digest), render_xlsx(digest)
    assert "13812345678" not in html and "[手机号]" in html
    assert b"13812345678" not in xlsx


def test_digest_lists_overdue_and_figures(app, seeded):
    route_pending(app)
    digest, _ = make_digest(app, HOUSING, "day", now=T0 + timedelta(days=23))   # 15 working days, not 15 days
    assert {o["record_id"] for o in digest.overdue} == {"hotline:h1", "hotline:h2", "hotline:h3"}
    assert digest.figures["assigned"] == 3 and digest.figures["overdue"] == 3


def test_unknown_department_and_period(app):
    with pytest.raises(DigestError, match="未知部门"):
        make_digest(app, "火星局", "day")
    with pytest.raises(DigestError, match="day 或 week"):
        make_digest(app, HOUSING, "month")


def test_new_items_follow_a_reassignment(app, seeded):
    from suqiu.twoway.delivery import Outgoing, enqueue
    route_pending(app)
    digest, ids = make_digest(app, HOUSING, "day", now=T0)
    enqueue(app, Outgoing(HOUSING, "day", T0, T0, digest.subject, "<p>x</p>", "x", b"", ids))
    assert new_items(app, HOUSING) == []                                   # carried once
    reassign(app, "hotline:h3", TRAFFIC, "属交通设施", actor="信访办")
    assert [i["record_id"] for i in new_items(app, TRAFFIC)] == ["hotline:h3"]
    reassign(app, "hotline:h3", HOUSING, "退回", actor="信访办")
    assert [i["record_id"] for i in new_items(app, HOUSING)] == ["hotline:h3"]  # routed again: new again
    assert [i["record_id"] for i in new_items(app, LABOUR)] == ["hotline:l1"]


def test_replied_demands_are_not_new(app, seeded):
    route_pending(app)
    app.store.set_fields("hotline:h3", {"status": "replied", "reply_text": "已修复"}, origin="api")
    assert "hotline:h3" not in [i["record_id"] for i in new_items(app, HOUSING)]


def test_hotspots_and_warnings_in_the_departments_remit(app, seeded):
    from suqiu.store import schema
    from suqiu.store import to_db_time
    route_pending(app)
    now = T0 + timedelta(days=1)
    at = to_db_time(T0)
    with app.store.begin() as conn:
        conn.execute(schema.hotspots.insert(), [
            {"id": "hs1", "rank": 1, "heat": 9.0, "topic_id": 1, "place": "屏西小区", "start": at, "end": at,
             "updated_at": at, "data": {"description": "屏西小区物业乱收停车费", "submissions": 2, "place": "屏西小区",
                                        "end": T0.isoformat(), "record_ids": ["hotline:h1", "hotline:h2"]}},
            {"id": "hs2", "rank": 2, "heat": 5.0, "topic_id": 3, "place": "", "start": at, "end": at,
             "updated_at": at, "data": {"description": "欠薪", "end": T0.isoformat(), "record_ids": ["hotline:l1"]}}])
        week = f"{T0.isocalendar().year}-W{T0.isocalendar().week:02d}"
        conn.execute(schema.warnings.insert(), [
            {"id": "w1", "kind": "urgent_cluster", "week": week, "subject": "电梯", "level": "high",
             "message": "电梯故障紧急诉求聚集 <b>3</b> 件", "first_seen": at, "updated_at": at,
             "evidence": {"records": [{"id": "hotline:h3"}]}}])
    digest, _ = make_digest(app, HOUSING, "day", now=now)
    assert [h["label"] for h in digest.hotspots] == ["屏西小区物业乱收停车费"]
    assert [w["label"] for w in digest.warnings] == ["电梯故障紧急诉求聚集 <b>3</b> 件"]
    html = render_html(digest)
    assert "屏西小区物业乱收停车费" in html and "&lt;b&gt;3&lt;/b&gt;" in html
    labour, _ = make_digest(app, LABOUR, "day", now=now)
    assert [h["label"] for h in labour.hotspots] == ["欠薪"] and labour.warnings == []
    later, _ = make_digest(app, HOUSING, "day", now=T0 + timedelta(days=60))
    assert later.hotspots == [] and later.warnings == []   # stale ones are left out


def test_digest_links_each_item_to_its_page(app, seeded):
    app.config.server.base_url = "https://12345.example.gov.cn/"
    route_pending(app)
    digest, _ = make_digest(app, HOUSING, "day", now=T0 + timedelta(days=23))
    html, text = render_html(digest), render_text(digest)
    link = "https://12345.example.gov.cn/work/demands/hotline%3Ah3"
    assert f'href="{link}"' in html and link in text
    assert all(e.url.startswith("https://12345.example.gov.cn/work/demands/") for g in digest.groups for e in g.entries)
    assert digest.overdue and all(o["url"] for o in digest.overdue)


def test_digest_links_default_to_the_configured_server(app, seeded):
    route_pending(app)
    digest, _ = make_digest(app, HOUSING, "day", now=T0 + timedelta(days=1))
    assert digest.groups[0].entries[0].url == "http://127.0.0.1:8080/work/demands/hotline%3Ah3"


def test_digest_flags_what_is_about_to_be_overdue(app, seeded):
    route_pending(app)
    digest, _ = make_digest(app, HOUSING, "day", now=T0 + timedelta(days=0.2, hours=12))   # h3: 24 h, 12 left
    entries = {e.record_id: e for g in digest.groups for e in g.entries}
    assert entries["hotline:h3"].due_soon and not entries["hotline:h1"].due_soon
    assert "即将超时" in render_html(digest)
