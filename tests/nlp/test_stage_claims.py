"""Two workers analysing at once never process the same pending records twice: each stage runs
under its lease in the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest

from nlp.stages import ClassifyStage, TextStage, run_stages
from nlp.stages.base import claimed
from suqiu.installation import Installation
from suqiu.model import build_demand
from suqiu.store import schema
from suqiu.store.locks import Lease, LockHeld


@pytest.fixture
def app(engine_app):
    """Each test here on both engines."""
    return engine_app


def _demands(n: int) -> list:
    return [build_demand({"source": "hotline", "source_id": f"c{i}", "channel": "电话",
                          "content": f"第{i}号楼下烧烤摊油烟扰民，晚上营业到凌晨两点，噪音很大，希望城管处理。",
                          "received_at": datetime(2026, 11, 1 + i % 20, 9, 0)}) for i in range(n)]


def test_two_workers_analyse_each_pending_record_once(app, home):
    app.store.upsert(_demands(60))
    barrier, results, errors = threading.Barrier(2), [], []

    def worker() -> None:
        inst = Installation.load(home)
        try:
            barrier.wait()
            results.append(run_stages(inst, [TextStage(workers=1, batch_size=20), ClassifyStage(batch=20)]))
        except Exception as exc:
            errors.append(exc)
        finally:
            inst.store.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert sum(r["analyzed"] for r in results) == 60
    assert sum(r["stages"].get("classify", {}).get("classified", 0) for r in results) == 60
    st = schema.stage_state
    assert app.store.done_count("analyze") == 60 and app.store.done_count("classify") == 60
    assert app.store.count(st) == 120
    # one text save and one classify save per record: two version bumps, never more
    assert {app.store.get(f"hotline:c{i}")["version"] for i in range(60)} == {3}


def test_a_held_stage_is_refreshed_while_it_runs_and_freed_after(app):
    with claimed(app, "probe", ttl=timedelta(seconds=1.5)):
        time.sleep(2.5)  # longer than the lease: only the heartbeat keeps it
        with pytest.raises(LockHeld):
            Lease.acquire(app.store, "stage-probe", "someone else", timedelta(seconds=5))
    Lease.acquire(app.store, "stage-probe", "someone else", timedelta(seconds=5)).release()


def test_a_second_worker_waits_for_the_stage_then_gets_it(app):
    order: list[str] = []
    started = threading.Event()

    def first() -> None:
        with claimed(app, "probe"):
            started.set()
            time.sleep(1.0)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    started.wait(10)
    with claimed(app, "probe", wait=timedelta(seconds=30)):
        order.append("second ran")
    t.join()
    assert order == ["first done", "second ran"]
