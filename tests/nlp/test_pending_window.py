"""A stage reads the records changed since its last clean run, and never loses one it left pending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from nlp.stages.pending import PendingWindow
from nlp.stages.text import TextStage
from suqiu.store import CHANGE_MARGIN, schema, to_db_time
from tests.twoway.seed import demand, seed


@pytest.fixture
def app(engine_app):
    """Each test here on both engines."""
    return engine_app


def _age(app, record_id: str, before: timedelta) -> None:
    """As if the record had last changed ``before`` the probe stage's mark."""
    at = to_db_time(PendingWindow(app, "probe").since - before)
    with app.store.begin() as conn:
        conn.execute(update(schema.records).where(schema.records.c.id == record_id).values(updated_at=at))


def _done(app, ids) -> None:
    app.store.mark_done("probe", app.store.text_hashes(ids))


def _forget(app, record_id: str) -> None:
    st = schema.stage_state
    with app.store.begin() as conn:
        conn.execute(delete(st).where(st.c.record_id == record_id, st.c.stage == "probe"))


def test_a_stage_reads_the_records_changed_since_its_last_clean_run(app):
    ids = seed(app.store, [(demand(f"w{i}", f"第{i}条诉求：路灯不亮"), None) for i in range(3)])
    first = PendingWindow(app, "probe")
    assert first.since is None and first.ids() == ids          # no mark yet: the whole history
    _done(app, ids)
    mark = first.close()
    assert mark == first.started - CHANGE_MARGIN
    _forget(app, ids[0])
    _age(app, ids[0], timedelta(minutes=1))               # pending again, but changed before the mark
    _forget(app, ids[1])
    _age(app, ids[1], -timedelta(minutes=30))             # changed within the margin: still read
    new = seed(app.store, [(demand("w9", "新的诉求：噪音扰民"), None)])
    assert PendingWindow(app, "probe").ids() == [ids[1], *new]
    assert app.store.pending("probe") == [ids[0], ids[1], *new]  # the whole history, as before


def test_what_a_run_leaves_pending_is_read_by_the_next_one(app):
    ids = seed(app.store, [(demand(f"l{i}", f"第{i}条诉求：拖欠工资"), None) for i in range(3)])
    window = PendingWindow(app, "probe")
    _done(app, ids[1:])                                          # the run leaves ids[0] pending
    old = window.started - timedelta(hours=5)
    with app.store.begin() as conn:
        conn.execute(update(schema.records).values(updated_at=to_db_time(old)))
    mark = window.close()
    assert mark <= old - CHANGE_MARGIN
    assert PendingWindow(app, "probe").ids() == [ids[0]]


def test_the_text_stage_reads_only_the_new_demands_of_a_day(app):
    seed(app.store, [(demand(f"d{i}", f"小区门口第{i}盏路灯不亮，请尽快维修"), None) for i in range(4)])
    stage = TextStage(workers=1)
    assert stage.run(app).pending == 4
    assert not stage.has_work(app)
    with app.store.begin() as conn:   # yesterday's demands, analysed yesterday
        conn.execute(update(schema.records).values(
            updated_at=to_db_time(PendingWindow(app, "analyze").since - timedelta(hours=2))))
    seed(app.store, [(demand("d9", "夜间施工噪音扰民，影响休息"), None)])
    assert stage.has_work(app)
    stats = stage.run(app)
    assert stats.pending == 1 and stats.analyzed == 1
    assert app.store.pending("analyze") == []
