"""Request budgets per key and fixed window (Open311 filing per client token), for every process.

One conditional UPDATE (``used < limit``) decides, so concurrent callers never overspend."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import now_local, to_db_time

_EPOCH = datetime(2000, 1, 1)


class QuotasMixin(StoreBase):
    def take_quota(self, key: str, limit: int, window: timedelta, now: datetime | None = None) -> bool:
        """Use one unit of ``key``'s budget in the current window; False when it is spent."""
        at, q = to_db_time(now or now_local()), schema.quotas
        start = _EPOCH + (at - _EPOCH) // window * window
        for _ in range(3):  # a concurrent first use inserts the key too: then the update decides
            with self.begin() as conn:
                conn.execute(update(q).where(q.c.key == key, q.c.window_start < start).values(window_start=start, used=0))
                if conn.execute(update(q).where(q.c.key == key, q.c.window_start == start, q.c.used < limit)
                                .values(used=q.c.used + 1)).rowcount:
                    return True
                if conn.execute(select(q.c.key).where(q.c.key == key)).first() is not None:
                    return False
            try:
                with self.begin() as conn:
                    conn.execute(q.insert().values(key=key, window_start=start, used=1))
                return True
            except IntegrityError:
                continue
        return False
