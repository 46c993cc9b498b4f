"""Who may sign in or call the APIs: web users (password hashes), API tokens (SHA-256 only), and
the sign-in state every web process shares: the login throttle's counters and the live sessions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time


class AccountsMixin(StoreBase):
    """The ``users`` and ``api_tokens`` tables."""

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
    def add_token(self, role: str, department: str | None, label: str | None, token_hash: str, prefix: str) -> int:
        t = schema.api_tokens
        with self.begin() as conn:
            return int(conn.execute(t.insert().values(
                department=department, role=role, label=label, token_hash=token_hash, prefix=prefix,
                created_at=to_db_time(now_local()))).inserted_primary_key[0])

    def use_token(self, token_hash: str) -> dict[str, Any] | None:
        """The live token with this hash (its last use noted), or None when unknown or revoked."""
        t = schema.api_tokens
        with self.begin() as conn:
            row = conn.execute(select(t).where(t.c.token_hash == token_hash)).mappings().first()
            if row is None or row["revoked_at"] is not None:
                return None
            conn.execute(update(t).where(t.c.id == row["id"]).values(last_used_at=to_db_time(now_local())))
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
                                       t.c.last_used_at, t.c.revoked_at).order_by(t.c.id)).mappings()
            return [local_times(dict(r)) for r in rows]


# the delay before the next attempt after ``failures`` counted ones, for one throttle key
WaitAfter = Callable[[str, int], float]


def _insert_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    t = schema.login_attempts
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(t).values(rows).on_conflict_do_nothing(index_elements=[t.c.key]))


class SignInMixin(StoreBase):
    """The ``login_attempts`` and ``web_sessions`` tables."""

    # ------------------------------------------------------------------ login throttle
    def claim_login_attempt(self, keys: Sequence[str], now: float, window_s: float, wait_after: WaitAfter) -> float:
        """Count one attempt against every key, unless one of them must still wait: then nothing is
        counted and the seconds left are returned (0.0: counted, the password may be checked).

        Check and count are one transaction that writes first, so concurrent attempts queue on the
        write lock (SQLite) or the rows (PostgreSQL) and cannot all pass one check. Counters idle
        longer than ``window_s`` are evicted (by age, never wholesale)."""
        t = schema.login_attempts
        with self.begin() as conn:
            conn.execute(delete(t).where(t.c.last_at < now - window_s))
            _insert_missing(conn, [{"key": k, "failures": 0, "last_at": now, "next_at": 0.0} for k in keys])
            rows = conn.execute(select(t).where(t.c.key.in_(list(keys))).with_for_update()).mappings().all()
            wait = max((r["next_at"] - now for r in rows), default=0.0)
            if wait > 0:
                return wait
            for r in rows:
                failures = r["failures"] + 1
                conn.execute(update(t).where(t.c.key == r["key"]).values(
                    failures=failures, last_at=now, next_at=now + wait_after(r["key"], failures)))
        return 0.0

    def settle_login_attempt(self, clear: Sequence[str], undo: Sequence[str], wait_after: WaitAfter) -> None:
        """After a successful sign-in: forget the ``clear`` counters, take the attempt back from ``undo``."""
        t = schema.login_attempts
        with self.begin() as conn:
            conn.execute(delete(t).where(t.c.key.in_(list(clear))))
            for r in conn.execute(select(t).where(t.c.key.in_(list(undo))).with_for_update()).mappings().all():
                failures = max(0, r["failures"] - 1)
                conn.execute(update(t).where(t.c.key == r["key"]).values(
                    failures=failures, next_at=r["last_at"] + wait_after(r["key"], failures) if failures else 0.0))

    def login_attempt_count(self) -> int:
        """How many throttle counters are kept (for tests and ``suqiu doctor``)."""
        with self.engine.connect() as conn:
            return len(conn.execute(select(schema.login_attempts.c.key)).all())

    # ------------------------------------------------------------------ web sessions
    def add_web_session(self, session_hash: str, username: str, expires_at: datetime) -> None:
        """Record a new session (and drop the expired ones: the table holds live sessions only)."""
        s, now = schema.web_sessions, to_db_time(now_local())
        with self.begin() as conn:
            conn.execute(delete(s).where(s.c.expires_at < now))
            conn.execute(s.insert().values(id=session_hash, username=username, created_at=now,
                                           expires_at=to_db_time(expires_at)))

    def web_session(self, session_hash: str) -> dict[str, Any] | None:
        """The live session with this hash, or None when it ended or expired."""
        s = schema.web_sessions
        with self.engine.connect() as conn:
            row = conn.execute(select(s).where(s.c.id == session_hash,
                                               s.c.expires_at >= to_db_time(now_local()))).mappings().first()
        return None if row is None else local_times(dict(row))

    def end_web_sessions(self, session_hash: str | None = None, username: str | None = None) -> int:
        """End one session (logout) or every session of a user (password change, deactivation)."""
        s = schema.web_sessions
        if session_hash is None and username is None:
            raise ValueError("name a session or a user")
        cond = s.c.id == session_hash if session_hash is not None else s.c.username == username
        with self.begin() as conn:
            return int(conn.execute(delete(s).where(cond)).rowcount)
