"""The one small protocol every analysis stage follows.

A stage has a ``name``, the stage it runs ``after`` (whose output it reads), ``has_work`` (cheap:
is anything pending?) and ``run``, which reads its own pending work from the store, writes its
results back, and returns a typed stats dataclass. Each stage is its own Prefect task.
"""

from __future__ import annotations

import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, ClassVar

from nlp.pool import fork_safe, quiet
from suqiu.installation import Installation
from suqiu.store.locks import Lease, LeaseLost

Progress = Callable[[int, int], None]   # (done, total)
STAGE_LEASE = timedelta(minutes=5)      # refreshed every third of it while the stage runs
STAGE_WAIT = timedelta(minutes=60)      # how long a second worker waits for a stage another one runs


@dataclass
class StageStats:
    """What one run of a stage did; each stage extends it with its own figures."""

    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Stage(ABC):
    """Base class of analysis stages (see the module docstring)."""

    name: ClassVar[str]
    after: ClassVar[str | None] = None

    @abstractmethod
    def has_work(self, inst: Installation) -> bool:
        """Whether a run would change anything."""

    @abstractmethod
    def run(self, inst: Installation, progress: Progress | None = None) -> StageStats:
        """Process what is pending; idempotent (a second run with nothing new changes nothing)."""


@contextmanager
def claimed(inst: Installation, name: str, ttl: timedelta = STAGE_LEASE, wait: timedelta = STAGE_WAIT,
            run_id: str | None = None) -> Iterator[Lease]:
    """Hold stage ``name``'s lease (``stage-<name>`` in the store) while the body runs.

    Two workers running one stage at once would read the same pending ids and analyse them twice;
    with the lease the second one waits, then finds only what the first left pending. A thread
    refreshes the lease every third of ``ttl``, which is also the heartbeat of ``run_id`` (the run the
    stage is part of, ``suqiu.store.locks``); a worker that dies frees the stage at once on its own
    host, after ``ttl`` seen from another.
    ``LeaseLost`` after the body when the lease was taken away meanwhile (the store unreachable
    longer than ``ttl``).
    """
    owner = f"{name} {run_id or 'stage'} {uuid.uuid4().hex[:6]}"   # the lease row keeps host and pid
    lease = Lease.acquire(inst.store, f"stage-{name}", owner, ttl, wait=wait, run_id=run_id)
    stop, lost = threading.Event(), []

    def heartbeat() -> None:
        while not stop.wait(ttl.total_seconds() / 3):
            try:
                with quiet():   # a worker pool may fork beside this thread (nlp.pool)
                    lease.refresh()
            except LeaseLost as exc:
                lost.append(exc)
                return
            except Exception:  # the store briefly unreachable: the next beat tries again
                continue

    beat = fork_safe(threading.Thread(target=heartbeat, name=f"lease-{name}", daemon=True))
    beat.start()
    try:
        yield lease
    finally:
        stop.set()
        beat.join()
        lease.release()
    if lost:
        raise lost[0]


def run_claimed(stage: Stage, inst: Installation, progress: Progress | None = None,
                force: bool = False, run_id: str | None = None) -> StageStats | None:
    """Run the stage under its lease (beating ``run_id``) if it has work once the lease is ours (or
    ``force``); None when not."""
    with claimed(inst, stage.name, run_id=run_id):
        return stage.run(inst, progress) if force or stage.has_work(inst) else None
