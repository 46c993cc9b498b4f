"""Who may sign in or call the APIs: web users (password hashes), API tokens (SHA-256 only), sessions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time

TOKEN_USE_S = 60   # a token's last use is noted to the minute: not one write per API call


class AccountsMixin(StoreBase):
    """The ``users``, ``api_tokens``, ``login_attempts`` and ``web_sessions`` tables."""

    # ------------------------------------------------------------------ users
    def user_row(self, username: str) -> dict[str, Any] | None:
        u = schema.users
        with self.engine.connect() as conn:
            row = conn.execute(select(u).where(u.c.username == username)).mappings().first()
        return None if row is None else dict(row)

    def user_rows(self) -> list[dict[str, Any]]:
        u = schema.users
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(u).order_by(u.c.username)).mappings()]

    def save_user(self, username: str, values: dict[str, Any], replace: bool) -> bool:
        """Insert a user, or overwrite one when ``replace``; False when it exists and may not be replaced."""
        u, now = schema.users, to_db_time(now_local())
        with self.begin() as conn:
            exists = conn.execute(select(u.c.username).where(u.c.username == username)).first()
            if exists and not replace:
                return False
            if exists:
                conn.execute(update(u).where(u.c.username == username).values(**values, updated_at=now))
            else:
                conn.execute(u.insert().values(username=username, created_at=now, updated_at=now, **values))
        return True

    def update_user(self, username: str, **values: Any) -> bool:
        u = schema.users
        with self.begin() as conn:
            n = conn.execute(update(u).where(u.c.username == username)
                             .values(**values, updated_at=to_db_time(now_local()))).rowcount
        return bool(n)

    # ------------------------------------------------------------------ API tokens
    def add_token(self, role: str, department: str | None, label: str | None, token_hash: str, prefix: str,
                  scope: list[str] | None = None) -> int:
        t = schema.api_tokens
        with self.begin() as conn:
            return int(conn.execute(t.insert().values(
                department=department, role=role, label=label, token_hash=token_hash, prefix=prefix,
                scope=scope or None, created_at=to_db_time(now_local()))).inserted_primary_key[0])

    def use_token(self, token_hash: str) -> dict[str, Any] | None:
        """The live token with this hash (its last use noted, to the minute), or None when unknown or
        revoked. Read without the write lock; the note is one statement, at most once a minute."""
        t, now = schema.api_tokens, to_db_time(now_local())
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.token_hash == token_hash)).mappings().first()
        if row is None or row["revoked_at"] is not None:
            return None
        if row["last_used_at"] is None or row["last_used_at"] < now - timedelta(seconds=TOKEN_USE_S):
            self.write_one(update(t).where(t.c.id == row["id"]).values(last_used_at=now))
        return dict(row)

    def revoke_token(self, token_id: int) -> bool:
        t = schema.api_tokens
        with self.begin() as conn:
            res = conn.execute(update(t).where(t.c.id == token_id, t.c.revoked_at.is_(None))
                               .values(revoked_at=to_db_time(now_local())))
        return res.rowcount == 1

    def tokens(self) -> list[dict[str, Any]]:
        t = schema.api_tokens
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.id, t.c.role, t.c.department, t.c.label, t.c.prefix, t.c.created_at,
                                       t.c.last_used_at, t.c.revoked_at, t.c.scope).order_by(t.c.id)).mappings()
            return [local_times(dict(r)) for r in rows]


    # ------------------------------------------------------------------ sign-in state of every web process
    def claim_login_attempt(self, keys: Sequence[str], now: float, window_s: float,
                            wait_after: Callable[[str, int], float], counted: Sequence[str] | None = None,
                            refuse: bool = True) -> float:
        """Count an attempt on the ``counted`` keys (default all) unless one of ``keys`` must wait (then the
        seconds left); written first in one transaction, so concurrent attempts queue (SQLite's write lock,
        PG's row locks), never all pass. ``refuse=False``: count whatever the wait (a failure, after the check)."""
        t, counted = schema.login_attempts, set(keys if counted is None else counted)
        with self.begin() as conn:
            conn.execute(delete(t).where(t.c.last_at < now - window_s))  # eviction by age, never wholesale
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            conn.execute(dialect.insert(t).values([{"key": k, "failures": 0, "last_at": now, "next_at": 0.0} for k in keys])
                         .on_conflict_do_nothing(index_elements=[t.c.key]))
            # locked in key order: a row's updated version moves in the heap, and a scan's order with it (PG deadlock)
            rows = conn.execute(select(t).where(t.c.key.in_(keys)).order_by(t.c.key).with_for_update()).mappings().all()
            wait = max(r["next_at"] - now for r in rows) if refuse else 0.0
            for r in [r for r in rows if r["key"] in counted] if wait <= 0 else ():
                n = r["failures"] + 1
                delay = wait_after(r["key"], n)
                # a free attempt leaves no "not before": an attempt whose clock was read earlier but
                # reached the lock later must not find one in its future and be refused
                conn.execute(update(t).where(t.c.key == r["key"]).values(
                    failures=n, last_at=now, next_at=now + delay if delay > 0 else 0.0))
        return max(wait, 0.0)

    def settle_login_attempt(self, clear: Sequence[str]) -> None:
        """After a sign-in: forget the ``clear`` counters."""
        self.write_one(delete(schema.login_attempts).where(schema.login_attempts.c.key.in_(clear)))

    def add_web_session(self, session_hash: str, username: str, expires_at: datetime) -> None:
        s = schema.web_sessions   # two statements, each its own transaction (short lock, nothing to keep atomic)
        self.write_one(delete(s).where(s.c.expires_at < to_db_time(now_local())))  # live sessions only
        self.write_one(s.insert().values(id=session_hash, username=username, expires_at=to_db_time(expires_at)))

    def web_session_user(self, session_hash: str) -> str | None:
        s = schema.web_sessions
        with self.engine.connect() as conn:
            return conn.execute(select(s.c.username).where(
                s.c.id == session_hash, s.c.expires_at >= to_db_time(now_local()))).scalar()

    def end_web_sessions(self, session_hash: str | None = None, username: str | None = None) -> None:
        """End one session (logout) or every session of a user (password change, deactivation)."""
        s = schema.web_sessions
        with self.begin() as conn:
            conn.execute(delete(s).where(s.c.id == session_hash if username is None else s.c.username == username))
