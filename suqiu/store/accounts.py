"""Who may sign in or call the APIs: web users (password hashes) and API tokens (SHA-256 only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

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
    def add_token(self, role: str, department: str | None, label: str | None, token_hash: str, prefix: str,
                  scope: list[str] | None = None) -> int:
        t = schema.api_tokens
        with self.begin() as conn:
            return int(conn.execute(t.insert().values(
                department=department, role=role, label=label, token_hash=token_hash, prefix=prefix,
                scope=scope or None, created_at=to_db_time(now_local()))).inserted_primary_key[0])

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
                                       t.c.last_used_at, t.c.revoked_at, t.c.scope).order_by(t.c.id)).mappings()
            return [local_times(dict(r)) for r in rows]
