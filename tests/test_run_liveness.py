"""Crash leftovers (issue 18, item 11): a run or a lease whose process died must not look alive.

Each run and each lease records the pid and host of its process. A run whose process is gone
from this host (or, for another host, whose heartbeat went stale) is marked failed
("interrupted") by ``status`` and by the next start of any run; a lease held by a dead process
of this host is free at once instead of after its whole lease.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from suqiu.store import Store, now_local, schema, to_db_time
from suqiu.store.locks import Lease, LockHeld, holder

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import sys, time
    from datetime import timedelta
    from suqiu.store import Store
    from suqiu.store.locks import Lease
    store = Store.open(sys.argv[1])
    if sys.argv[2] == "run":
        print(store.start_run("import", source="hotline"), flush=True)
    else:
        Lease.acquire(store, "search-index", "incremental index-x", timedelta(minutes=10))
        print("held", flush=True)
    time.sleep(600)
""")


def _killed_child(url: str, what: str) -> str:
    """Start a process that opens a run (or takes the index lease), SIGKILL it; what it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, url, what], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert line, "the child printed nothing"
    return line


def _run(store: Store, run_id: str) -> dict:
    return next(r for r in store.recent_runs(50) if r["id"] == run_id)


def _set_run(store: Store, run_id: str, **values) -> None:
    with store.begin() as conn:
        conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(**values))


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'suqiu.db'}"


@pytest.fixture
def db(url: str):
    s = Store.open(url)
    yield s
    s.close()


def test_a_run_records_its_pid_and_host(db):
    run = _run(db, db.start_run("analyze"))
    assert run["pid"] == os.getpid() and run["host"] == socket.gethostname()
    assert run["heartbeat_at"] is not None


def test_status_marks_a_killed_run_interrupted(db, url):
    run_id = _killed_child(url, "run")
    assert _run(db, run_id)["status"] == "running"
    shown = {r["id"]: r for r in db.status()["runs"]}
    assert shown[run_id]["status"] == "failed"
    assert shown[run_id]["error"].startswith("interrupted")
    assert _run(db, run_id)["finished_at"] is not None


def test_the_next_start_of_any_run_marks_a_killed_run_interrupted(db, url):
    run_id = _killed_child(url, "run")
    db.start_run("index")
    run = _run(db, run_id)
    assert run["status"] == "failed" and "interrupted" in run["error"] and str(run["pid"]) in run["error"]


def test_a_live_run_of_this_process_is_left_running(db):
    run_id = db.start_run("analyze")
    db.status()
    db.start_run("index")
    assert _run(db, run_id)["status"] == "running"


def test_a_pid_taken_by_a_later_process_does_not_keep_a_run_alive(db):
    """This test's own pid, but the run started a day before this process did: the pid was reused."""
    run_id = db.start_run("analyze")
    _set_run(db, run_id, started_at=to_db_time(now_local() - timedelta(days=3)))
    db.status()
    assert _run(db, run_id)["status"] == "failed"


def test_another_hosts_run_is_interrupted_only_when_its_heartbeat_is_stale(db):
    fresh, stale = db.start_run("analyze"), db.start_run("index")
    _set_run(db, fresh, host="worker-7.example", pid=1, heartbeat_at=to_db_time(now_local() - timedelta(minutes=2)))
    _set_run(db, stale, host="worker-7.example", pid=1, heartbeat_at=to_db_time(now_local() - timedelta(hours=3)))
    db.status()
    assert _run(db, fresh)["status"] == "running"
    assert _run(db, stale)["status"] == "failed" and "worker-7.example" in _run(db, stale)["error"]


def test_heartbeat_keeps_another_hosts_run_alive(db):
    run_id = db.start_run("analyze")
    _set_run(db, run_id, host="worker-7.example", heartbeat_at=to_db_time(now_local() - timedelta(hours=3)))
    db.heartbeat(run_id)
    db.status()
    assert _run(db, run_id)["status"] == "running"


def test_a_run_from_before_pids_were_recorded_is_interrupted_once_old(db):
    old, recent = db.start_run("analyze"), db.start_run("index")
    _set_run(db, old, host=None, pid=None, heartbeat_at=None, started_at=to_db_time(now_local() - timedelta(days=1)))
    _set_run(db, recent, host=None, pid=None, heartbeat_at=None)
    db.status()
    assert _run(db, old)["status"] == "failed" and _run(db, recent)["status"] == "running"


def test_finishing_a_run_after_it_was_declared_interrupted_still_records_the_outcome(db):
    run_id = db.start_run("analyze")
    _set_run(db, run_id, host="worker-7.example", heartbeat_at=to_db_time(now_local() - timedelta(hours=3)))
    db.status()
    db.finish_run(run_id, {"analyzed": 3})
    assert _run(db, run_id)["status"] == "ok"


# --------------------------------------------------------------------------- leases
def test_a_lease_records_pid_and_host(db):
    with Lease.acquire(db, "x", "run A", timedelta(minutes=5)):
        h = holder(db, "x")
        assert h.pid == os.getpid() and h.host == socket.gethostname()
        assert str(os.getpid()) in str(LockHeld(h))


def test_a_lease_of_a_killed_local_process_is_free_at_once(db, url):
    assert _killed_child(url, "lock") == "held"
    dead = holder(db, "search-index")
    assert dead is not None and dead.expires_at > now_local() + timedelta(minutes=5)
    with Lease.acquire(db, "search-index", "incremental index-y", timedelta(minutes=10)):
        assert holder(db, "search-index").owner == "incremental index-y"


def test_a_lease_of_a_live_local_process_still_refuses(db):
    with Lease.acquire(db, "x", "run A", timedelta(minutes=5)):
        with pytest.raises(LockHeld):
            Lease.acquire(db, "x", "run B", timedelta(minutes=5))


def test_a_lease_of_another_host_counts_until_it_expires(db):
    Lease.acquire(db, "x", "run A", timedelta(minutes=5))
    with db.begin() as conn:
        conn.execute(update(schema.locks).where(schema.locks.c.name == "x").values(host="worker-7.example", pid=1))
    with pytest.raises(LockHeld):
        Lease.acquire(db, "x", "run B", timedelta(minutes=5))
