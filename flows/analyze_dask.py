"""The analyze flow fanned out on Dask (``prefect-dask``'s ``DaskTaskRunner``): the pending records
in partitions, each partition's text work and classification a task on a Dask worker, merged in
one reduce step in the flow's process; then levels (分级分类), topics and views as in ``flows.analyze``.

Every worker reads its partition from the store and the current models from the shared state,
so a Dask worker needs nothing of this machine but the code and ``SUQIU_HOME`` with the store's
URL (see the README's runbook). The outcome is exactly the single-process one
(``nlp.stages.partitioned``). Run it with ``analyze_on_dask``: on the cluster at ``address``, or on
a temporary local cluster of ``n_workers`` processes on 127.0.0.1.

    python -m flows.analyze_dask --address tcp://scheduler:8786     # or --workers 2 for a local one
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from prefect import flow, get_run_logger, task
from prefect_dask import DaskTaskRunner

from flows.analyze import any_work, recorded_run, run_stage
from nlp.stages.base import claimed
from nlp.stages.partitioned import PartitionResult, analyse_partition, merge_partitions, partitions
from suqiu.installation import Installation

PARTITION = 2000     # pending records per task: enough to repay loading the dictionaries in a worker
# after the reduce, in the flow's process: levels (rules, cheap), classify (only what the partitions
# did not cover), topics, views
LATER_STAGES = ("levels", "classify", "topics", "views")


@task(name="analyse-partition", task_run_name="analyse-partition-{index}", retries=1, retry_delay_seconds=10)
def analyse_partition_task(home: str | None, ids: list[str], index: int) -> PartitionResult:
    return analyse_partition(Installation.load(home), ids)


@flow(name="analyze-partitioned")
def analyze_partitioned(home: str | None = None, partition_size: int = PARTITION,
                        batch_size: int = 500) -> dict[str, Any]:
    """Partitions mapped on the flow's task runner (Dask), reduced here, under the stages' leases."""
    inst = Installation.load(home)
    result: dict[str, Any] = {"pending": 0, "analyzed": 0, "stages": {}, "run_id": None}
    if not any_work(home):
        return result
    with recorded_run(home, result) as run_id:
        with claimed(inst, "analyze", run_id=run_id), claimed(inst, "classify", run_id=run_id):
            ids = inst.store.pending("analyze")
            futures = [analyse_partition_task.submit(home, part, n)
                       for n, part in enumerate(partitions(ids, partition_size))]
            result.update(merge_partitions(inst, ids, (f.result() for f in futures), batch_size).as_dict())
        for name in LATER_STAGES:
            stats = run_stage(home, name, 0, run_id)
            if stats is not None and name == "classify":
                result["stages"]["classify"]["classified"] += stats["classified"]
            elif stats is not None:
                result["stages"][name] = stats
    get_run_logger().info("analyze on dask: %s", {k: v for k, v in result.items() if k != "stages"})
    return result


def dask_runner(address: str | None = None, n_workers: int = 2) -> DaskTaskRunner:
    """The cluster at ``address``, else a temporary local one: ``n_workers`` single-threaded
    processes (the text work holds the GIL), listening on 127.0.0.1 only, no dashboard."""
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs={
        "n_workers": n_workers, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1",
        "dashboard_address": None})


@flow(name="analyze-on-dask")
def analyze_on_dask(home: str | None = None, address: str | None = None, n_workers: int = 2,
                    partition_size: int = PARTITION, batch_size: int = 500) -> dict[str, Any]:
    """``analyze_partitioned`` on the Dask cluster at ``address`` (or a local one of ``n_workers``)."""
    runner = dask_runner(address, n_workers)
    return analyze_partitioned.with_options(task_runner=runner)(
        home=home, partition_size=partition_size, batch_size=batch_size)


def main() -> None:  # pragma: no cover - a command for operators
    from flows.environment import prepare_prefect
    parser = argparse.ArgumentParser(prog="python -m flows.analyze_dask")
    parser.add_argument("--home", default=None)
    parser.add_argument("--address", default=None, help="a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes when no --address")
    parser.add_argument("--partition-size", type=int, default=PARTITION)
    args = parser.parse_args()
    prepare_prefect(Installation.load(args.home))
    print(json.dumps(analyze_on_dask(home=args.home, address=args.address, n_workers=args.workers,
                                     partition_size=args.partition_size), ensure_ascii=False, default=str))


if __name__ == "__main__":  # pragma: no cover
    main()
