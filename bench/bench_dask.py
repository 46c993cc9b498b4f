"""Analyze fanned out on Dask (``flows.analyze_dask``) with 1 and 2 local workers, beside one process.

    .venv/bin/python bench/bench_dask.py [--n 20000] [--partition 2000]

The same synthetic demands (``crawlers.synthetic.generate(n, seed=5)``) go into three fresh
SQLite stores; each is analysed once: by ``run_stages`` in this process, and by the partitioned
flow on a local cluster (127.0.0.1, single-threaded worker processes) of one and of two workers.
The figure is the text and classify stages' wall time (for the flow: from the first partition's
submission to the reduce's last write, cluster start-up printed apart); topics and views run after
both (the same single-process code) with one candidate topic count to keep the run short, and are
not counted. On a machine with two cores shared with other work, two workers cannot be twice as
fast: the reduce (keywords, duplicate groups, the writes) runs beside them. The load average is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_engines import demands  # noqa: E402


def prepared(items: list, label: str):
    from suqiu.installation import Installation, write_default_config
    home = Path(tempfile.mkdtemp(prefix=f"bench-dask-{label}-"))
    write_default_config(home)
    inst = Installation.load(home)
    inst.store.upsert(items, batch=500)
    return inst


def single(items: list) -> float:
    from nlp.stages import run_stages
    inst = prepared(items, "one")
    result = run_stages(inst)
    return result["seconds"] + result["stages"]["classify"]["seconds"]


def on_dask(items: list, workers: int, partition: int) -> tuple[float, float, int]:
    from distributed import LocalCluster

    from flows.analyze_dask import analyze_on_dask
    inst = prepared(items, f"dask{workers}")
    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        started = time.perf_counter() - t0
        result = analyze_on_dask(home=str(inst.home), address=cluster.scheduler_address, partition_size=partition)
    return result["seconds"], started, result["partitions"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--partition", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="bench-prefect-"))
    os.environ.update({"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                       "PREFECT_LOGGING_LEVEL": "WARNING", "SUQIU__TOPICS__K_VALUES": "[6]",
                       "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"})
    items = demands(args.n)
    print(f"{len(items)} synthetic demands; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
          flush=True)
    s = single(items)
    print(f"one process       text+classify {s:7.1f} s  {len(items) / s:7.0f} records/s", flush=True)
    for workers in (1, 2):
        s, started, parts = on_dask(items, workers, args.partition)
        print(f"dask, {workers} worker{'s' if workers > 1 else ' '}  text+classify {s:7.1f} s  {len(items) / s:7.0f} "
              f"records/s  ({parts} partitions; cluster start {started:.1f} s)", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
