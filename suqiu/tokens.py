"""API tokens for departments, the petition office and Open311 client apps; only their SHA-256 is stored.

A token is 32 random bytes (``sq_`` + URL-safe base64), so a fast hash is enough: there is nothing
to brute-force. The plain token is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from suqiu import schema
from suqiu.app import App
from suqiu.store import now_local, to_db_time

PREFIX = "sq_"
ROLES = ("department", "office", "client")   # client: an Open311 app posting citizen requests


class TokenError(ValueError):
    """A token request is invalid; the message is for users (Chinese)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a department (its canonical name), the petition office or an Open311 client."""

    token_id: int
    role: str
    department: str | None
    label: str | None

    @property
    def actor(self) -> str:
        who = self.department or ("信访办" if self.role == "office" else "Open311 客户端")
        return f"{who}（{self.label}）" if self.label else who

    def may_act_for(self, department: str | None) -> bool:
        return self.role == "office" or (department is not None and department == self.department)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(app: App, department: str | None, label: str | None = None, role: str = "department") -> tuple[int, str]:
    """Make a token; returns (id, the plain token — shown once, never stored)."""
    if role not in ROLES:
        raise TokenError(f"角色只能是 {' 或 '.join(ROLES)}")
    if role == "department":
        dept = app.config.department(department or "")
        if dept is None:
            raise TokenError(f"未知部门: {department}")
        department = dept.name
    else:
        department = None
    token = PREFIX + secrets.token_urlsafe(32)
    with app.store.begin() as conn:
        tid = conn.execute(schema.api_tokens.insert().values(
            department=department, role=role, label=label, token_hash=hash_token(token), prefix=token[:10],
            created_at=to_db_time(now_local()))).inserted_primary_key[0]
    return int(tid), token


def verify_token(app: App, token: str | None) -> Principal | None:
    """The principal for a presented token, or None when it is missing, unknown or revoked."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    t = schema.api_tokens
    with app.store.begin() as conn:
        row = conn.execute(select(t).where(t.c.token_hash == digest)).mappings().first()
        if row is None or row["revoked_at"] is not None or not hmac.compare_digest(row["token_hash"], digest):
            return None
        conn.execute(update(t).where(t.c.id == row["id"]).values(last_used_at=to_db_time(now_local())))
    return Principal(row["id"], row["role"], row["department"], row["label"])


def revoke_token(app: App, token_id: int) -> bool:
    t = schema.api_tokens
    with app.store.begin() as conn:
        res = conn.execute(update(t).where(t.c.id == token_id, t.c.revoked_at.is_(None))
                           .values(revoked_at=to_db_time(now_local())))
    return res.rowcount == 1


def list_tokens(app: App) -> list[dict[str, Any]]:
    t = schema.api_tokens
    with app.store.engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.role, t.c.department, t.c.label, t.c.prefix, t.c.created_at,
                                   t.c.last_used_at, t.c.revoked_at).order_by(t.c.id)).mappings()
        return [dict(r) for r in rows]
