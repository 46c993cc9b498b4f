"""The store's contract, on both engines: every test here runs on SQLite and on PostgreSQL."""

from datetime import datetime, timedelta

import pytest

from suqiu.store import schema
from suqiu.model import SHANGHAI, Analysis, build_demand
from suqiu.store import Store


@pytest.fixture
def app(engine_app):
    """Each test here on both engines."""
    return engine_app


def _d(**kw):
    base = {"source": "hotline", "source_id": "GD-1", "received_at": "2026-11-20 09:30:00",
            "title": "噪音扰民", "content": "工地夜间施工噪音扰民，希望有关部门处理。", "channel": "电话"}
    base.update(kw)
    return build_demand(base)


def test_first_upsert_is_new(store):
    s = store.upsert([_d()])
    assert s.new == 1 and store.count() == 1


def test_unchanged_input_is_noop(store):
    store.upsert([_d()])
    before = store.get("hotline:GD-1")
    s = store.upsert([_d()])
    assert s.unchanged == 1 and s.new == 0
    assert store.get("hotline:GD-1")["version"] == before["version"]


def test_changed_record_updated_with_history(store):
    store.upsert([_d()])
    s = store.upsert([_d(status="replied", reply_text="已责令停工", replied_at="2026-11-21 10:00")], origin="import")
    assert s.updated == 1
    row = store.get("hotline:GD-1")
    assert row["status"] == "replied" and row["reply_text"] == "已责令停工"
    fields = {h["field"]: h for h in store.history("hotline:GD-1")}
    assert fields["status"]["old_value"] == "received" and fields["status"]["new_value"] == "replied"
    assert fields["reply_text"]["origin"] == "import"


def test_export_without_reply_does_not_erase_reply(store):
    store.upsert([_d(status="replied", reply_text="已处理")])
    store.upsert([_d(content="工地夜间施工噪音扰民，希望尽快处理。")])
    row = store.get("hotline:GD-1")
    assert row["reply_text"] == "已处理" and row["status"] == "replied"


def test_source_saying_received_does_not_undo_routing(store):
    store.upsert([_d()])
    store.set_fields("hotline:GD-1", {"status": "routed"}, origin="routing")
    store.upsert([_d(title="噪音扰民（补充）")])
    assert store.get("hotline:GD-1")["status"] == "routed"


def test_times_come_back_in_shanghai(store):
    store.upsert([_d()])
    got = store.get("hotline:GD-1")["received_at"]
    assert got == datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI)


def test_duplicate_ids_in_one_batch_are_one_record(store):
    s = store.upsert([_d(), _d()])
    assert s.new == 1 and s.unchanged == 1 and store.count() == 1


def test_pending_tracks_new_and_changed_text(store):
    store.upsert([_d(), _d(source_id="GD-2")])
    assert store.pending("analyze") == ["hotline:GD-1", "hotline:GD-2"]
    store.save_analysis([Analysis(record_id="hotline:GD-1", normalized_text="x"),
                         Analysis(record_id="hotline:GD-2", normalized_text="y")], stage="analyze")
    assert store.pending("analyze") == []
    store.upsert([_d(content="完全不同的内容：路灯坏了。")])
    assert store.pending("analyze") == ["hotline:GD-1"]


def test_reply_change_does_not_reanalyze_but_reindexes(store):
    store.upsert([_d()])
    row = store.get("hotline:GD-1")
    store.mark_done("analyze", {row["id"]: row["text_hash"]})
    store.mark_done("index", {row["id"]: str(row["version"])})
    store.upsert([_d(reply_text="已回复", status="replied")])
    assert store.pending("analyze") == []
    assert store.pending("index", key="version") == ["hotline:GD-1"]


def test_analysis_roundtrip(store):
    store.upsert([_d()])
    store.save_analysis([Analysis(record_id="hotline:GD-1", masked_text="电话[手机号]", tokens=["噪音", "扰民"],
                                  sentiment_label="negative", sentiment_score=-0.6)])
    a = store.get_analysis("hotline:GD-1")
    assert a.tokens == ["噪音", "扰民"] and a.sentiment_label.value == "negative"


def test_partial_analysis_update_keeps_other_fields(store):
    store.upsert([_d()])
    store.save_analysis([Analysis(record_id="hotline:GD-1", tokens=["噪音"])])
    store.save_analysis([Analysis(record_id="hotline:GD-1", topic_id=3)], fields=["topic_id"])
    a = store.get_analysis("hotline:GD-1")
    assert a.tokens == ["噪音"] and a.topic_id == 3


def test_quarantine_keeps_payload_and_reason_once(store):
    assert store.quarantine("import", "content: empty", {"工单编号": "9"}, source_ref="a.csv:3")
    assert not store.quarantine("import", "content: empty", {"工单编号": "9"}, source_ref="a.csv:3")
    rows = store.quarantined()
    assert len(rows) == 1 and "工单编号" in rows[0]["payload"] and rows[0]["reason"] == "content: empty"


def test_runs_record_stats(store):
    run = store.start_run("import", "fuzhou")
    store.finish_run(run, {"rows": 3, "new": 2})
    assert store.recent_runs()[0]["stats"] == {"rows": 3, "new": 2}


def test_status_counts(store):
    store.upsert([_d(), _d(source="portal", source_id="7")])
    store.quarantine("portal", "received_at: bad date", "<html>")
    s = store.status()
    assert s["records"] == {"total": 2, "by_source": {"hotline": 1, "portal": 1}, "by_status": {"received": 2}}
    assert s["quarantined"] == 1


def test_set_fields_history_with_note(store):
    store.upsert([_d()])
    assert store.set_fields("hotline:GD-1", {"department_given": "生态环境局"}, origin="reassign",
                            actor="信访办", note="属环保")
    h = store.history("hotline:GD-1")[-1]
    assert (h["field"], h["origin"], h["note"]) == ("department_given", "reassign", "属环保")


def test_overdue_counts_open_demands_past_limit(app):
    from suqiu.twoway.tracking import overdue_count
    old = (datetime.now(SHANGHAI) - timedelta(days=40)).strftime("%Y-%m-%d %H:%M")
    app.store.upsert([_d(received_at=old), _d(source_id="new")])
    app.store.upsert([_d(source_id="done", received_at=old, status="closed")])
    assert overdue_count(app.store, app.config) == 1


def test_schema_has_unique_source_id():
    names = {c.name for c in schema.records.constraints}
    assert "uq_records_source_id" in names


def test_same_store_reopens(new_store_url):
    url = new_store_url("x")
    s1 = Store.open(url)
    s1.upsert([_d()])
    s1.close()
    s2 = Store.open(url)
    assert s2.count() == 1
    s2.close()


def test_pending_after_requires_previous_stage(store):
    store.upsert([_d(), _d(source_id="GD-2")])
    assert store.pending("classify", after="analyze") == []
    row = store.get("hotline:GD-2")
    store.mark_done("analyze", {row["id"]: row["text_hash"]})
    assert store.pending("classify", after="analyze") == ["hotline:GD-2"]


def test_pending_after_follows_the_previous_stage_at_the_current_text_in_date_order(store):
    store.upsert([_d(source_id="GD-3", received_at="2026-11-22 08:00:00"), _d(), _d(source_id="GD-2")])
    rows = {r: store.get(r) for r in ("hotline:GD-1", "hotline:GD-2", "hotline:GD-3")}
    store.mark_done("analyze", {r: row["text_hash"] for r, row in rows.items()})
    store.mark_done("classify", {"hotline:GD-2": rows["hotline:GD-2"]["text_hash"]})
    assert store.pending("classify", after="analyze") == ["hotline:GD-1", "hotline:GD-3"]
    store.upsert([_d(source_id="GD-3", received_at="2026-11-22 08:00:00", content="换了一段新的内容，工地仍在夜间施工。")])
    assert store.pending("classify", after="analyze") == ["hotline:GD-1"]   # its text moved: analyze first
    assert store.pending_count("classify", after="analyze") == 1
    store.mark_done("classify", {"hotline:GD-1": "an older text"})
    assert store.pending("classify", after="analyze", ids=["hotline:GD-1", "hotline:GD-2"]) == ["hotline:GD-1"]


def _state(store, rid):
    row = store.get(rid)
    return (row["status"], row["reply_text"], row["version"],
            [(h["field"], h["old_value"], h["new_value"]) for h in store.history(rid)])


def test_a_batch_behaves_as_one_upsert_per_demand(new_store_url):
    """New, then changed, then unchanged, then changed again: in one call (same batch and across
    batch boundaries) exactly as in four calls."""
    seq = [_d(), _d(status="replied", reply_text="已责令停工", replied_at="2026-11-21 10:00"),
           _d(status="replied", reply_text="已责令停工", replied_at="2026-11-21 10:00"),
           _d(status="closed", reply_text="已责令停工", replied_at="2026-11-21 10:00", satisfaction="满意")]
    one_by_one = Store.open(new_store_url("a"))
    counts = [one_by_one.upsert([d]).as_dict() for d in seq]
    expected = _state(one_by_one, "hotline:GD-1")
    assert expected[2] == 3 and [c for c in counts if c["new"]] == [counts[0]]
    for batch in (500, 2, 1):
        store = Store.open(new_store_url(f"b{batch}"))
        stats = store.upsert(seq, batch=batch)
        assert (stats.new, stats.updated, stats.unchanged) == (1, 2, 1)
        assert stats.ids == ["hotline:GD-1"] * 4
        assert _state(store, "hotline:GD-1") == expected
        store.close()
    one_by_one.close()


def test_a_batch_mixes_new_existing_and_unchanged(store):
    store.upsert([_d(source_id=f"GD-{i}") for i in range(5)])
    incoming = [_d(source_id=f"GD-{i}", status="replied", reply_text="已处理") if i % 2 else _d(source_id=f"GD-{i}")
                for i in range(8)]
    stats = store.upsert(incoming, batch=3)
    assert (stats.new, stats.updated, stats.unchanged) == (3, 2, 3)
    assert store.count() == 8
    assert store.get("hotline:GD-3")["version"] == 2 and store.get("hotline:GD-6")["version"] == 1


@pytest.mark.parametrize("batch", [500, 2, 1])
def test_save_analysis_in_batches_inserts_updates_and_bumps_versions(store, batch):
    store.upsert([_d(source_id=f"GD-{i}") for i in range(5)])
    store.save_analysis([Analysis(record_id="hotline:GD-0", tokens=["旧"])])
    items = [Analysis(record_id=f"hotline:GD-{i}", tokens=[f"词{i}"], topic_id=i) for i in range(5)]
    items.append(Analysis(record_id="hotline:GD-3", tokens=["再次"], topic_id=33))  # the same record twice
    assert store.save_analysis(items, stage="analyze", batch=batch) == 6
    assert store.get_analysis("hotline:GD-0").tokens == ["词0"]
    assert store.get_analysis("hotline:GD-3").tokens == ["再次"] and store.get_analysis("hotline:GD-3").topic_id == 33
    versions = {i: store.get(f"hotline:GD-{i}")["version"] for i in range(5)}
    assert versions == {0: 3, 1: 2, 2: 2, 3: 3, 4: 2}
    assert store.pending("analyze") == []


def test_save_analysis_for_an_unknown_record_writes_nothing(store):
    store.upsert([_d()])
    with pytest.raises(KeyError, match="unknown record"):
        store.save_analysis([Analysis(record_id="hotline:GD-1", tokens=["噪音"]),
                             Analysis(record_id="hotline:nope", tokens=["x"])])
    assert store.get_analysis("hotline:GD-1") is None and store.get("hotline:GD-1")["version"] == 1


def test_set_fields_many_is_set_fields_for_each(store, tmp_path):
    store.upsert([_d(source_id=f"GD-{i}", district="鼓楼区" if i == 2 else None) for i in range(4)])
    changed = store.set_fields_many({f"hotline:GD-{i}": {"district": "鼓楼区"} for i in range(4)} |
                                    {"hotline:nope": {"district": "鼓楼区"}}, origin="analyze", actor="suqiu analyze",
                                    note="由文本中的地点推断")
    assert changed == ["hotline:GD-0", "hotline:GD-1", "hotline:GD-3"]
    for i in range(4):
        row = store.get(f"hotline:GD-{i}")
        assert row["district"] == "鼓楼区" and row["version"] == (1 if i == 2 else 2)
    h = store.history("hotline:GD-1")
    assert [(x["field"], x["old_value"], x["new_value"], x["origin"], x["note"]) for x in h] == [
        ("district", None, "鼓楼区", "analyze", "由文本中的地点推断")]
    assert store.history("hotline:GD-2") == []


def test_duplicate_summary_counts_groups_of_two_or_more(store):
    assert store.duplicate_summary() == {"dup_groups": 0, "records_in_dup_groups": 0}
    store.upsert([_d(source_id=f"GD-{i}") for i in range(1, 7)])
    groups = {1: "hotline:GD-1", 2: "hotline:GD-1", 3: "hotline:GD-1", 4: "hotline:GD-4", 5: "hotline:GD-5", 6: "hotline:GD-5"}
    store.save_analysis([Analysis(record_id=f"hotline:GD-{i}", dup_group=g) for i, g in groups.items()], fields=["dup_group"])
    assert store.duplicate_summary() == {"dup_groups": 2, "records_in_dup_groups": 5}
