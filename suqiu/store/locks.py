"""Store-level lease locks: one holder at a time per name, across processes and machines.

A lease is one row of ``locks``. Taking it is an INSERT, so the primary key refuses a second
holder on SQLite and PostgreSQL alike (no engine-specific locking). A lease whose ``expires_at``
has passed counts as free: its holder died or hung, and the next taker deletes it first; so does
one whose holder (pid and host are kept) is gone from this host, without waiting for the expiry. The
holder refreshes the lease while it works and deletes it when done. A holder whose lease has gone
to someone else (it stalled past the expiry) must stop writing: ``refresh`` raises ``LeaseLost``.

One liveness mechanism for leases and runs: a lease taken for a run (``run_id``) is that run's
heartbeat, its taking and every ``refresh`` mark the run alive in the same write; both record the
process (host, pid), and both are judged alike: dead at once when that pid is gone from this host
(``runs.dead_here``), else by the age of the last beat (a lease at ``expires_at``, a run after
``runs.RUN_STALE_AFTER``). Work that holds no lease beats its run with ``Store.heartbeat``.

    lease = Lease.acquire(store, "search-index", owner="rebuild index-…", ttl=timedelta(minutes=10))
    try:
        for batch in work:
            lease.refresh()
            write(batch)
    finally:
        lease.release()
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from suqiu.store import schema
from suqiu.store.engine import from_db_time, now_local, to_db_time
from suqiu.store.runs import dead_here

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Holder:
    """Who holds a lease, since when, and until when it counts (unless refreshed)."""

    name: str
    owner: str
    acquired_at: datetime
    expires_at: datetime
    host: str | None = None
    pid: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "acquired_at": self.acquired_at.isoformat(timespec="seconds"),
                "expires_at": self.expires_at.isoformat(timespec="seconds"), "host": self.host, "pid": self.pid}


class LockHeld(RuntimeError):
    """Someone else holds the lease; nothing was done."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(f"lock '{holder.name}' is held by {holder.owner} (pid {holder.pid} on {holder.host}) since "
                         f"{holder.acquired_at.isoformat(timespec='seconds')} (lease until "
                         f"{holder.expires_at.isoformat(timespec='seconds')})")
        self.holder = holder


class LeaseLost(RuntimeError):
    """Our lease expired and was taken (or removed): stop before writing anything more."""


def holder(store: Any, name: str) -> Holder | None:
    """The current row for ``name`` (which may have expired), or None."""
    t = schema.locks
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.name == name)).mappings().first()
    if row is None:
        return None
    return Holder(row["name"], row["owner"], from_db_time(row["acquired_at"]), from_db_time(row["expires_at"]),
                  row["host"], row["pid"])


class Lease:
    """A lease this process holds; see the module docstring."""

    def __init__(self, store: Any, name: str, owner: str, ttl: timedelta, clock: Clock = now_local,
                 run_id: str | None = None) -> None:
        self.store = store
        self.run_id = run_id
        self.name = name
        self.owner = owner
        self.ttl = ttl
        self.clock = clock
        self.held = False

    @classmethod
    def acquire(cls, store: Any, name: str, owner: str, ttl: timedelta, clock: Clock = now_local,
                wait: timedelta | None = None, poll_s: float = 0.5, run_id: str | None = None) -> "Lease":
        """Take the lease or raise ``LockHeld`` naming the holder; an expired lease, or one whose
        holder died on this host, is taken over. With ``wait``, a held lease is tried again every
        ``poll_s`` until it is free or ``wait`` passed. ``run_id``: the run this lease keeps alive."""
        deadline = time.monotonic() + (wait.total_seconds() if wait else 0)
        while True:
            try:
                return cls._take(store, name, owner, ttl, clock, run_id)
            except LockHeld:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(poll_s)

    @classmethod
    def _take(cls, store: Any, name: str, owner: str, ttl: timedelta, clock: Clock, run_id: str | None) -> "Lease":
        lease = cls(store, name, owner, ttl, clock, run_id)
        t = schema.locks
        for _ in range(3):  # the holder may release between our INSERT and our look at its row
            now = clock()
            with store.begin() as conn:
                conn.execute(t.delete().where(t.c.name == name, t.c.expires_at <= to_db_time(now)))
            try:
                with store.begin() as conn:
                    conn.execute(t.insert().values(name=name, owner=owner, acquired_at=to_db_time(now),
                                                   expires_at=to_db_time(now + ttl), host=socket.gethostname(),
                                                   pid=os.getpid()))
                    lease._beat(conn)
            except IntegrityError:
                current = holder(store, name)
                if current is not None and dead_here(current.host, current.pid, current.acquired_at):
                    with store.begin() as conn:  # its process is gone from this host: free now
                        conn.execute(t.delete().where(t.c.name == name, t.c.owner == current.owner))
                    continue
                if current is not None:
                    raise LockHeld(current) from None
                continue
            lease.held = True
            return lease
        raise LockHeld(holder(store, name) or Holder(name, "?", clock(), clock()))

    def refresh(self) -> None:
        """Extend the lease from now; ``LeaseLost`` when it is no longer ours."""
        if not self.held:
            raise LeaseLost(f"lock '{self.name}' is not held by {self.owner}")
        t = schema.locks
        with self.store.begin() as conn:
            n = conn.execute(update(t).where(t.c.name == self.name, t.c.owner == self.owner)
                             .values(expires_at=to_db_time(self.clock() + self.ttl))).rowcount
            if n == 1:
                self._beat(conn)
        if n != 1:
            self.held = False
            taker = holder(self.store, self.name)
            raise LeaseLost(f"lock '{self.name}' of {self.owner} expired"
                            + (f" and was taken by {taker.owner}" if taker else ""))

    def _beat(self, conn: Any) -> None:
        """The run this lease is held for is alive (its heartbeat, as ``Store.heartbeat`` writes it)."""
        if self.run_id:
            r = schema.runs
            conn.execute(update(r).where(r.c.id == self.run_id).values(heartbeat_at=to_db_time(now_local())))

    def release(self) -> None:
        """Give the lease back (only ours: a lease taken over by someone else stays theirs)."""
        if not self.held:
            return
        t = schema.locks
        with self.store.begin() as conn:
            conn.execute(t.delete().where(t.c.name == self.name, t.c.owner == self.owner))
        self.held = False

    def __enter__(self) -> "Lease":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
