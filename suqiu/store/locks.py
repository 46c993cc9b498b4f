"""Store-level lease locks: one holder at a time per name, across processes and machines.

A lease is one row of ``locks``. Taking it is an INSERT, so the primary key refuses a second
holder on SQLite and PostgreSQL alike (no engine-specific locking). A lease whose ``expires_at``
has passed counts as free: its holder died or hung, and the next taker deletes it first; so does
one whose holder (pid and host are kept) is gone from this host, without waiting for the expiry. The
holder refreshes the lease while it works and deletes it when done. A holder whose lease has gone
to someone else (it stalled past the expiry) must stop writing: ``refresh`` raises ``LeaseLost``.

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

    def __init__(self, store: Any, name: str, owner: str, ttl: timedelta, clock: Clock = now_local) -> None:
        self.store = store
        self.name = name
        self.owner = owner
        self.ttl = ttl
        self.clock = clock
        self.held = False

    @classmethod
    def acquire(cls, store: Any, name: str, owner: str, ttl: timedelta, clock: Clock = now_local) -> "Lease":
        """Take the lease or raise ``LockHeld`` naming the holder; an expired lease, or one whose
        holder died on this host, is taken over."""
        lease = cls(store, name, owner, ttl, clock)
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
        if n != 1:
            self.held = False
            taker = holder(self.store, self.name)
            raise LeaseLost(f"lock '{self.name}' of {self.owner} expired"
                            + (f" and was taken by {taker.owner}" if taker else ""))

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
