"""How long the store's big writes hold SQLite's write lock (what a concurrent API reply waits for).

    .venv/bin/python bench/bench_write_lock.py               # 20,000 records
    .venv/bin/python bench/bench_write_lock.py --n 50000

In a throw-away SQLite store: ``upsert`` of N demands in one call (an import or a crawl of N), then
``save_analysis`` of N topic assignments in one call (the shape of a topic refit, which rewrites
every record's topic). Meanwhile a probe in another thread takes the write lock (BEGIN IMMEDIATE)
every 20 ms and gives it back at once; its longest wait is the longest a department's reply would
stall behind that writer. Prints, per write: seconds, probes, and the probe's p50/p99/max wait.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawlers.synthetic import generate, strip_truth  # noqa: E402
from suqiu.model import Analysis, build_demand  # noqa: E402
from suqiu.store import Store  # noqa: E402


class Probe(threading.Thread):
    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.waits, self.stop = db, [], threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.db, timeout=300, isolation_level=None)
        while not self.stop.is_set():
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            self.waits.append(time.perf_counter() - t0)
            conn.execute("ROLLBACK")
            self.stop.wait(0.02)
        conn.close()


def measured(db: Path, label: str, work) -> None:
    probe = Probe(db)
    probe.start()
    time.sleep(0.1)
    t0 = time.perf_counter()
    work()
    seconds = time.perf_counter() - t0
    probe.stop.set()
    probe.join()
    w = sorted(probe.waits)
    print(f"{label:34} {seconds:7.2f} s  probes {len(w):5}  lock wait p50 {1000 * w[len(w) // 2]:7.1f} ms  "
          f"p99 {1000 * w[int(0.99 * (len(w) - 1))]:7.1f} ms  max {1000 * w[-1]:7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="suqiu-lock-") as tmp:
        db = Path(tmp) / "suqiu.db"
        store = Store.open(f"sqlite:///{db}")
        demands = [build_demand(strip_truth(i)) for i in
                   generate(args.n, seed=3, sources=["hotline"], bad_rate=0.0, dup_rate=0.0)]
        measured(db, f"upsert of {args.n:,} demands", lambda: store.upsert(demands))
        items = [Analysis(record_id=d.id, topic_id=i % 40, topic_weight=0.5) for i, d in enumerate(demands)]
        measured(db, f"save_analysis of {args.n:,} topics", lambda: store.save_analysis(
            items, stage="topics", fields=["topic_id", "topic_weight"]))
        store.close()


if __name__ == "__main__":
    main()
