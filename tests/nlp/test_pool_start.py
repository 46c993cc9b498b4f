"""The worker pool forks beside a stage lease's heartbeat, and only beside threads marked fork-safe."""

from __future__ import annotations

import threading

import pytest

from nlp.pool import WorkerPool, fork_safe, quiet, start_method


def _double(_obj: object, x: int) -> int:
    return 2 * x


@pytest.fixture
def parked():
    """Start a thread that waits until told to stop; yields a maker taking fork_safe or not."""
    stops: list[threading.Event] = []

    def make(safe: bool) -> threading.Thread:
        stop = threading.Event()
        stops.append(stop)

        def work() -> None:
            while not stop.wait(0.01):
                with quiet():
                    pass
        t = threading.Thread(target=work, daemon=True)
        (fork_safe(t) if safe else t).start()
        return t
    yield make
    for s in stops:
        s.set()


# Other tests of the session may have left threads of their own running (Prefect's test server):
# each test compares the method with the one chosen just before its thread started.

def test_a_fork_safe_thread_leaves_the_start_method_as_it_was(parked):
    before = start_method()
    parked(True)
    assert start_method() == before
    with WorkerPool(object(), 2) as pool:
        assert pool.method == before
        assert pool.map_async(_double, [1, 2, 3]).get(60) == [2, 4, 6]


def test_any_other_thread_makes_the_pool_start_its_workers_from_a_server(parked):
    parked(True)
    parked(False)
    assert start_method() in ("forkserver", "spawn")


def test_a_stage_lease_heartbeat_is_fork_safe(app):
    from nlp.stages.base import claimed
    before = start_method()
    with claimed(app, "probe"):
        assert start_method() == before


def _take_the_lock(_obj: object, x: int) -> list[int]:
    """A worker taking the fork lock (to start a pool of its own): its copy must not be held."""
    from nlp.pool import quiet
    with quiet():
        return [x]


def test_a_forked_worker_can_take_the_fork_lock():
    with WorkerPool(object(), 1, method="fork") as pool:
        assert pool.map_async(_take_the_lock, [7]).get(30) == [[7]]
