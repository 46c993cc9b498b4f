"""Fault drills (issue 18, deliverable 5): ``kill -9`` in the middle of analyze, index, route and
digest delivery, then a re-run. Nothing is lost, nothing is done twice, no run stays ``running``
and no lock stays with the dead process.

Each drill runs the real ``suqiu`` command in a child process on a seeded installation large enough
to be caught midway, watches the store from here, and SIGKILLs the child once the store shows its
first batches committed and its last ones not.
"""

from __future__ import annotations

import json
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nlp.stages.corpus_stats import load_doc_freq
from suqiu.installation import Installation
from suqiu.store import Store, now_local, schema
from suqiu.store.locks import holder
from suqiu.store.routes import ROUTABLE_STATUSES
from suqiu.twoway.delivery import retry_due
from suqiu.twoway.dispatch import route_pending
from tests.faults.drills import cli, count, kill_midway, running_runs, runs_of, seed_home, stage_done
from tests.twoway.test_delivery import free_port, start_smtp

pytestmark = pytest.mark.slow


def _assert_killed_run_interrupted(url: str, kind: str, pid: int) -> None:
    """The raw row still says running; ``status`` (as any next run would) marks it failed."""
    (raw,) = [r for r in runs_of(url, kind) if r["pid"] == pid]
    assert raw["status"] == "running"
    assert running_runs(url) == []
    (after,) = [r for r in runs_of(url, kind) if r["pid"] == pid]
    assert after["status"] == "failed" and after["error"].startswith("interrupted") and str(pid) in after["error"]


def _per_record(url: str, *where) -> dict[str, int]:
    h = schema.record_history
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return dict(conn.execute(select(h.c.record_id, func.count()).where(*where).group_by(h.c.record_id)).all())
    finally:
        store.close()


# --------------------------------------------------------------------------- analyze
N_ANALYZE = 3000


def test_sigkill_during_analyze_then_rerun(tmp_path: Path):
    inst = seed_home(tmp_path / "home", N_ANALYZE)
    url = inst.store_url
    killed = kill_midway(inst.home, ["analyze", "--workers", "1"],
                         lambda: (n := stage_done(url, "analyze")) >= 500 and n <= N_ANALYZE - 1000 and n)
    done_at_kill = stage_done(url, "analyze")
    assert 0 < done_at_kill < N_ANALYZE
    _assert_killed_run_interrupted(url, "analyze", killed.pid)

    again = cli(inst.home, "analyze", "--workers", "1", "--json")
    assert again.returncode == 0, again.stderr[-3000:]
    stats = json.loads(again.stdout)
    assert stats["analyzed"] == N_ANALYZE - done_at_kill, "the re-run does only what the killed run left"

    status = Store(url).status()
    assert status["analyzed"] == status["records"]["total"] == N_ANALYZE
    assert stage_done(url, "analyze") == stage_done(url, "classify") == N_ANALYZE
    assert running_runs(url) == [] and [r["status"] for r in runs_of(url, "analyze")].count("ok") == 1
    assert load_doc_freq(Installation.load(inst.home, environ={})).n_docs == N_ANALYZE, \
        "every stored batch counted once in the corpus statistics"
    twice = {rid: n for rid, n in _per_record(url, schema.record_history.c.field == "district").items() if n > 1}
    assert not twice, f"district filled twice: {list(twice)[:5]}"


def test_the_rerun_after_a_kill_gives_what_one_clean_run_gives(tmp_path: Path):
    """Same seed, analysed in one go: every record's masked text, department and labels agree."""
    def analysed(home: Path, kill: bool) -> dict[str, tuple]:
        inst = seed_home(home, 1500)
        if kill:
            kill_midway(inst.home, ["analyze", "--workers", "1"],
                        lambda: 500 <= stage_done(inst.store_url, "analyze") < 1500)
        assert cli(inst.home, "analyze", "--workers", "1").returncode == 0
        a = schema.analysis
        with inst.store.engine.connect() as conn:
            rows = conn.execute(select(a.c.record_id, a.c.masked_text, a.c.department, a.c.sentiment_label,
                                       a.c.urgency_level)).all()
        inst.store.close()
        return {r[0]: tuple(r[1:]) for r in rows}

    assert analysed(tmp_path / "killed", kill=True) == analysed(tmp_path / "clean", kill=False)


# --------------------------------------------------------------------------- index
N_INDEX = 5000


def test_sigkill_during_index_frees_the_lock_and_the_rerun_catches_up(tmp_path: Path):
    inst = seed_home(tmp_path / "home", N_INDEX, analysed=True)
    url = inst.store_url
    killed = kill_midway(inst.home, ["index"], lambda: 0 < stage_done(url, "index") < N_INDEX)
    done_at_kill = stage_done(url, "index")
    lock = holder(inst.store, "search-index")
    assert lock is not None and lock.pid == killed.pid, "the dead run's lease is still in the table"
    assert lock.expires_at > now_local() + timedelta(minutes=5), "and far from expiring"
    _assert_killed_run_interrupted(url, "index", killed.pid)

    again = cli(inst.home, "index", "--json")
    assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    stats = json.loads(again.stdout)
    assert stats["locked_by"] is None, "a lease held by a dead process of this host is free at once"
    assert stats["indexed"] == N_INDEX - done_at_kill
    assert stats["in_index"] == N_INDEX, "no document twice, none missing"
    assert stage_done(url, "index") == N_INDEX and holder(inst.store, "search-index") is None
    found = json.loads(cli(inst.home, "search", "", "--json").stdout)
    assert found["total"] == N_INDEX
    assert running_runs(url) == []


# --------------------------------------------------------------------------- route
N_ROUTE = 3000


def test_sigkill_during_route_then_rerun_routes_each_demand_once(tmp_path: Path):
    inst = seed_home(tmp_path / "home", N_ROUTE, analysed=True)
    url = inst.store_url
    routable = count(url, schema.records, schema.records.c.status.in_(ROUTABLE_STATUSES))
    killed = kill_midway(inst.home, ["route"], lambda: 0 < count(url, schema.routes) < N_ROUTE - 500)
    at_kill = count(url, schema.routes)
    assert at_kill % 200 == 0, "a route batch is one transaction: all of it or none"
    _assert_killed_run_interrupted(url, "route", killed.pid)

    again = cli(inst.home, "route", "--json")
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["routed"] == N_ROUTE - at_kill
    assert count(url, schema.routes) == N_ROUTE
    h = schema.record_history
    departments = _per_record(url, h.c.field == "department")
    statuses = _per_record(url, h.c.field == "status", h.c.origin == "routing")
    assert len(departments) == N_ROUTE and len(statuses) == routable > 0, "the open ones also become routed"
    assert set(departments.values()) == set(statuses.values()) == {1}, "one routing entry per demand"
    assert running_runs(url) == []


# --------------------------------------------------------------------------- digest delivery
def test_sigkill_during_digest_delivery_then_rerun_carries_each_demand_once(tmp_path: Path):
    inst = seed_home(tmp_path / "home", 400, analysed=True)
    route_pending(inst)
    due = {r["id"] for d in inst.config.departments for r in inst.store.undigested(d.name)}
    url, port = inst.store_url, free_port()
    ctl, inbox = start_smtp(port)
    try:
        departments = len(inst.config.departments)
        kill_midway(inst.home, ["digest", "--department", "all"],
                    lambda: 2 <= count(url, schema.deliveries) < departments, SUQIU__SMTP__PORT=str(port))
        rows = inst.store.deliveries(limit=100)
        assert all(Path(r["eml_path"]).exists() for r in rows), "no delivery recorded without its message"

        again = cli(inst.home, "digest", "--department", "all", SUQIU__SMTP__PORT=str(port))
        assert again.returncode == 0, again.stderr[-3000:]
        inst.config.smtp.port = port
        in_flight = {r["id"] for r in inst.store.deliveries(limit=100) if r["status"] == "sending"}
        # a message the killed sender had claimed is sent again once its claim is stale
        retry_due(inst, now=now_local() + timedelta(minutes=31))
        rows = inst.store.deliveries(limit=100)
    finally:
        ctl.stop()
    assert {r["status"] for r in rows} == {"sent"}, [(r["id"], r["status"]) for r in rows]
    di = schema.digest_items
    with inst.store.engine.connect() as conn:
        carried = dict(conn.execute(select(di.c.record_id, func.count()).group_by(di.c.record_id)).all())
    assert set(carried) == due and set(carried.values()) == {1}, "each open routed demand in exactly one digest"
    received = [message_from_bytes(raw, policy=policy.SMTP)["Message-ID"] for _f, _t, raw in inbox.messages]
    ids = {r["id"]: message_from_bytes(Path(r["eml_path"]).read_bytes(), policy=policy.SMTP)["Message-ID"]
           for r in rows}
    for delivery_id, mid in ids.items():
        times = received.count(mid)
        assert times == 1 or (delivery_id in in_flight and times == 2), (delivery_id, times)
    assert running_runs(url) == []
