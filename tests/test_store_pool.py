"""Many requests queued for SQLite's write lock must not starve the holder of a second connection.

A reply's write transaction reads on another connection of the pool (the owner of the demand);
with the pool's connections all held by requests waiting for that lock, it waited for the pool
while they waited for it, until the busy timeout (the load test's 10 s stalls and 503s).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from suqiu.store import Store


def test_writers_queued_for_the_lock_leave_the_holder_a_second_connection(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 'suqiu.db'}")
    with store.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    errors: list[BaseException] = []
    start = threading.Barrier(40)

    def request(i: int) -> None:
        try:
            start.wait()
            with store.begin() as conn:          # the write lock, as a reply takes it
                conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": i})
                with store.engine.connect() as other:   # a read on a second connection meanwhile
                    other.execute(text("SELECT count(*) FROM t")).scalar()
                time.sleep(0.005)
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(i,), daemon=True) for i in range(40)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=25)
    assert not any(t.is_alive() for t in threads), "requests stuck behind the pool"
    assert errors == [] and time.perf_counter() - t0 < 20
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 40
    store.close()


def test_an_in_memory_store_url_opens_and_leaves_no_file(tmp_path: Path, monkeypatch):
    from suqiu.store.engine import make_engine
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://", "sqlite:///:memory:"):
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        engine.dispose()
    assert list(tmp_path.iterdir()) == []   # no file named "sqlite:" beside the caller
