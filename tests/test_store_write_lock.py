"""How long a writer holds SQLite's write lock, told in rows per transaction (not seconds).

The load test found requests waiting over a second for the lock behind imports (500 demands a
transaction, back to back) and behind the web's own one-row writes held across the interpreter's
thread switches. Batch writers now size each transaction from a time budget and pause between
them; a view's audit entry and a token's last use are single statements without BEGIN.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import event

from suqiu.model import Analysis, build_demand
from suqiu.store import base
from tests.lock_spans import write_spans


def _d(i: int):
    return build_demand({"source": "hotline", "source_id": f"GD-{i}", "received_at": "2026-11-20 09:30:00",
                         "title": "噪音扰民", "content": f"工地夜间施工噪音扰民（{i}），希望有关部门处理。"})


class SlowLock:
    """A clock on which every transaction holds the lock ``per_batch`` seconds; the pauses noted."""

    def __init__(self, per_batch: float) -> None:
        self.now, self.per_batch, self.calls, self.pauses = 0.0, per_batch, 0, []

    def perf_counter(self) -> float:
        self.calls += 1
        if self.calls % 2 == 0:   # the second reading of each batch: after its transaction
            self.now += self.per_batch
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)


def _records_rows(spans) -> list[int]:
    return [s.rows for s in spans if "records" in s.tables]


def test_an_import_on_a_slow_machine_writes_smaller_transactions(store, monkeypatch):
    clock = SlowLock(per_batch=0.5)   # five times the budget: the next batch is a fifth
    monkeypatch.setattr(base, "time", SimpleNamespace(perf_counter=clock.perf_counter, sleep=clock.sleep))
    with write_spans(store.engine) as spans:
        stats = store.upsert([_d(i) for i in range(300)])
    sizes = _records_rows(spans)
    assert stats.new == 300 and store.count() == 300 and sum(sizes) == 300
    assert sizes[0] == base.FIRST_BATCH and max(sizes[1:]) <= base.FIRST_BATCH * base.LOCK_BUDGET_S / 0.5
    assert clock.pauses and all(p == base.PAUSE_S for p in clock.pauses)   # the lock given up between batches
    assert len(clock.pauses) == len(sizes) - 1                            # and no pause after the last


def test_a_fast_machine_grows_its_batches_up_to_the_most(store, monkeypatch):
    clock = SlowLock(per_batch=0.01)  # a tenth of the budget: each next batch twice as large, capped
    monkeypatch.setattr(base, "time", SimpleNamespace(perf_counter=clock.perf_counter, sleep=clock.sleep))
    with write_spans(store.engine) as spans:
        store.upsert([_d(i) for i in range(1400)], batch=500)
    assert _records_rows(spans) == [100, 200, 400, 500, 200]
    assert clock.pauses == pytest.approx([0.01] * 4)


def test_a_writers_next_call_starts_from_the_size_its_last_one_reached(store, monkeypatch):
    """A stage saves 500 demands a batch: each save began again at 100 rows (three commits and two
    pauses where one of each would do)."""
    clock = SlowLock(per_batch=0.01)
    monkeypatch.setattr(base, "time", SimpleNamespace(perf_counter=clock.perf_counter, sleep=clock.sleep))
    with write_spans(store.engine) as spans:
        store.upsert([_d(i) for i in range(300)], batch=500)
        store.upsert([_d(i) for i in range(300, 1000)], batch=500)
        store.upsert([_d(i) for i in range(1000, 1050)], batch=500)   # a short call: its size is not learnt
        store.upsert([_d(i) for i in range(1050, 1550)], batch=500)
    assert _records_rows(spans) == [100, 200, 400, 300, 50, 500]
    assert store.count() == 1550


def test_a_rerun_of_a_batched_import_writes_nothing_twice(store):
    demands = [_d(i) for i in range(250)]
    assert store.upsert(demands, batch=40).new == 250
    again = store.upsert(demands, batch=40)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 250)
    assert all(r["version"] == 1 for r in store.iter_records())


def test_a_stage_saves_its_analysis_in_budgeted_transactions(store, monkeypatch):
    store.upsert([_d(i) for i in range(300)])
    clock = SlowLock(per_batch=1.0)
    monkeypatch.setattr(base, "time", SimpleNamespace(perf_counter=clock.perf_counter, sleep=clock.sleep))
    items = [Analysis(record_id=f"hotline:GD-{i}", keywords=["噪音"]) for i in range(300)]
    with write_spans(store.engine) as spans:
        assert store.save_analysis(items, stage="text", fields=["keywords"]) == 300
    per_tx = [s.rows for s in spans if "analysis" in s.tables]
    assert per_tx[0] <= 3 * base.FIRST_BATCH                  # analysis, version and stage mark per item
    assert max(per_tx[1:]) <= 3 * base.FIRST_BATCH * base.LOCK_BUDGET_S / 1.0
    assert store.pending("text") == [] and store.done_count("text") == 300


def _statements(store):
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(" ".join(a[2].split()[:3]).upper()))
    return seen


def test_a_views_audit_entry_takes_the_lock_only_inside_its_insert(store):
    seen = _statements(store)
    store.audit({"actor": "张三", "role": "office", "action": "view", "record_id": "hotline:GD-1", "origin": "web"})
    assert [s for s in seen if s.startswith(("BEGIN", "INSERT"))] == ["INSERT INTO AUDIT_LOG"]   # no BEGIN at all
    assert store.audit_rows(record_id="hotline:GD-1")[0] == 1


def test_a_token_used_twice_in_a_minute_writes_once(app):
    from suqiu.twoway.tokens import create_token, verify_token
    _id, token = create_token(app, None, "值班", role="office")
    seen = _statements(app.store)
    assert verify_token(app, token) is not None and verify_token(app, token) is not None
    assert [s for s in seen if s.startswith(("BEGIN IMMEDIATE", "UPDATE"))] == ["UPDATE API_TOKENS SET"]
    assert app.store.tokens()[0]["last_used_at"] is not None


@pytest.mark.parametrize("rows", [0, 1])
def test_write_one_reports_the_rows_it_changed(store, rows):
    from suqiu.store import schema
    if rows:
        store.audit({"actor": "a", "role": "office", "action": "view", "record_id": "x", "origin": "web"})
    from sqlalchemy import update
    assert store.write_one(update(schema.api_tokens).values(label="x")) == 0
    assert store.audit_rows()[0] == rows


def _profiles(n: int, week: str, volume: int) -> list[dict]:
    return [{"id": f"department:d{i}:{week}", "dimension": "department", "value": f"d{i}", "week": week,
             "volume": volume} for i in range(n)]


def test_views_are_rewritten_in_budgeted_transactions_and_the_last_builds_rows_go(store, monkeypatch):
    from datetime import datetime, timedelta

    from suqiu.model import SHANGHAI
    t0 = datetime(2026, 11, 30, 8, tzinfo=SHANGHAI)
    last = type(store)(store.url)          # last week's build, by another process
    last.replace_views(_profiles(300, "2026-W48", 1), [], [], t0)
    last.close()
    clock = SlowLock(per_batch=0.5)
    monkeypatch.setattr(base, "time", SimpleNamespace(perf_counter=clock.perf_counter, sleep=clock.sleep))
    with write_spans(store.engine) as spans:   # this week's build: 250 profiles (50 of last week's gone)
        store.replace_views(_profiles(250, "2026-W48", 2), [], [], t0 + timedelta(hours=1))
    per_tx = [s.rows for s in spans if s.tables == {"profiles"}]   # the profiles' own transactions
    assert per_tx, "the profiles were written in one transaction with the hotspots and warnings"
    assert per_tx[0] == base.FIRST_BATCH and max(per_tx[1:]) <= base.FIRST_BATCH * base.LOCK_BUDGET_S / 0.5
    rows = store.profile_rows("department")
    assert len(rows) == 250 and {r["volume"] for r in rows} == {2}


def test_replace_profiles_keeps_exactly_the_new_set(store):
    from suqiu.store.engine import now_local
    store.replace_profiles(_profiles(5, "2026-W47", 1), now_local())
    store.replace_profiles(_profiles(3, "2026-W48", 4), now_local())
    assert sorted(r["id"] for r in store.profile_rows()) == [f"department:d{i}:2026-W48" for i in range(3)]
    store.replace_profiles([], now_local())
    assert store.profile_rows() == []


def test_a_processs_writers_poll_for_the_lock_one_at_a_time(store):
    """Forty web threads each polling SQLite's busy handler starved other processes' writers (the
    load test's lock probe); they queue in the process instead, one at a time at the database."""
    import threading

    at_database, most, guard = [0], [0], threading.Lock()

    def entered(_conn, _cursor, statement, *_a):
        if statement.startswith("BEGIN IMMEDIATE"):
            with guard:
                at_database[0] += 1
                most[0] = max(most[0], at_database[0])

    def left(conn):
        if conn.get_execution_options().get("suqiu_write"):
            with guard:
                at_database[0] -= 1

    event.listen(store.engine, "before_cursor_execute", entered)
    event.listen(store.engine, "commit", left)
    start = threading.Barrier(20)

    def write(i: int) -> None:
        start.wait()
        with store.begin() as conn:
            store.audit({"actor": f"u{i}", "role": "office", "action": "view", "record_id": "x", "origin": "web"},
                        conn)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert store.audit_rows(record_id="x")[0] == 20 and most[0] == 1


def test_a_writer_queued_past_the_busy_timeout_is_told_the_store_is_busy(store):
    import threading

    from suqiu.store import StoreBusy
    store.set_busy_timeout(0.2)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store.begin():
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(10)
    try:
        with pytest.raises(StoreBusy):
            store.audit({"actor": "a", "role": "office", "action": "view", "record_id": "y", "origin": "web"})
    finally:
        release.set()
        t.join(10)
