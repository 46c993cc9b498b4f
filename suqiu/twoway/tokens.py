"""API tokens for departments, the petition office and Open311 client apps; only their SHA-256 is stored.

A token is 32 random bytes (``sq_`` + URL-safe base64), so a fast hash is enough: there is nothing
to brute-force. The plain token is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from suqiu.installation import Installation
from suqiu.principals import Principal

PREFIX = "sq_"
ROLES = ("department", "office", "client")   # client: an Open311 app posting citizen requests


class TokenError(ValueError):
    """A token request is invalid; the message is for users (Chinese)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(app: Installation, department: str | None, label: str | None = None,
                 role: str = "department", scope: list[str] | None = None) -> tuple[int, str]:
    """Make a token; returns (id, the plain token — shown once, never stored).

    ``scope`` (client tokens only): the departments the client files for and whose internal
    records it may read; without one it files for every service and reads as the public."""
    if role not in ROLES:
        raise TokenError(f"角色只能是 {' 或 '.join(ROLES)}")
    if scope and role != "client":
        raise TokenError("只有 Open311 客户端令牌可以设置范围（scope）")
    scope = [_canonical(app, name) for name in scope or []]
    if role == "department":
        dept = app.config.department(department or "")
        if dept is None:
            raise TokenError(f"未知部门: {department}")
        department = dept.name
    else:
        department = None
    token = PREFIX + secrets.token_urlsafe(32)
    tid = app.store.add_token(role, department, label, hash_token(token), token[:10], scope=scope)
    return tid, token


def _canonical(app: Installation, name: str) -> str:
    dept = app.config.department(name.strip())
    if dept is None:
        raise TokenError(f"未知部门: {name}")
    return dept.name


def verify_token(app: Installation, token: str | None) -> Principal | None:
    """The principal for a presented token, or None when it is missing, unknown or revoked."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = app.store.use_token(hash_token(token))
    if row is None:
        return None
    return Principal(row["role"], department=row["department"], name=row["label"], token_id=row["id"],
                     scope=tuple(row.get("scope") or ()) if row["role"] == "client" else ())


def revoke_token(app: Installation, token_id: int) -> bool:
    return app.store.revoke_token(token_id)


def list_tokens(app: Installation) -> list[dict[str, Any]]:
    return app.store.tokens()
