"""Web users, password hashing, signed session cookies and CSRF tokens.

Passwords are stored as scrypt hashes with a per-user random salt and compared in constant time.
The session cookie carries only the username, the issue time and a fingerprint of the stored
password hash, signed with HMAC-SHA256 under a per-installation secret; changing a password or
deactivating a user ends its sessions. The user's role and department are always read from the
store, never trusted from the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select, update

from suqiu import schema
from suqiu.store import Store, now_local, to_db_time

if TYPE_CHECKING:
    from suqiu.app import App
    from suqiu.config import Config

Role = Literal["petition_office", "department", "public"]
ROLES: tuple[str, ...] = ("petition_office", "department", "public")
ROLE_LABELS = {"petition_office": "信访办", "department": "职能部门", "public": "公众"}

SESSION_COOKIE = "suqiu_session"
CSRF_COOKIE = "suqiu_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE_S = 12 * 3600
MIN_PASSWORD_LEN = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")

# scrypt cost: ~16 MiB and a few tens of milliseconds per check on a small server
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2 ** 14, 8, 1, 32


class AuthError(ValueError):
    """A user could not be created or changed; the message is for the operator (Chinese)."""


# --------------------------------------------------------------------------- passwords
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash``; a fresh 16-byte salt per call unless one is given."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
                            dklen=_SCRYPT_LEN, maxmem=64 * 1024 * 1024)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored ``hash_password`` string."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(_unb64(expected)), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, _unb64(expected))


# a hash to check against when the username is unknown, so timing does not reveal which users exist
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# --------------------------------------------------------------------------- users
@dataclass(frozen=True)
class User:
    username: str
    role: str
    department: str | None
    display_name: str
    password_hash: str
    active: bool = True

    @property
    def role_label(self) -> str:
        if self.role == "department" and self.department:
            return self.department
        return ROLE_LABELS.get(self.role, self.role)

    def session_fingerprint(self) -> str:
        """Changes whenever the password changes, which ends existing sessions."""
        return hashlib.sha256(self.password_hash.encode("ascii")).hexdigest()[:16]


def _user_from_row(row: Any) -> User:
    return User(username=row["username"], role=row["role"], department=row["department"],
                display_name=row["display_name"] or row["username"], password_hash=row["password_hash"],
                active=bool(row["active"]))


def get_user(store: Store, username: str) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(schema.users).where(schema.users.c.username == username)).mappings().first()
    return None if row is None else _user_from_row(row)


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.users).order_by(schema.users.c.username)).mappings().all()
    return [_user_from_row(r) for r in rows]


def _check_role(role: str, department: str | None, config: "Config | None") -> str | None:
    if role not in ROLES:
        raise AuthError(f"未知角色 {role!r}，可选: {', '.join(ROLES)}")
    if role != "department":
        if department:
            raise AuthError("只有 department 角色可以指定部门")
        return None
    if not department:
        raise AuthError("department 角色必须指定部门 (--department)")
    if config is not None:
        dept = config.department(department)
        if dept is None:
            names = "、".join(d.name for d in config.departments)
            raise AuthError(f"配置中没有部门 {department!r}；已配置: {names}")
        return dept.name  # aliases resolve to the canonical name routing uses
    return department


def add_user(store: Store, username: str, password: str, role: str, department: str | None = None,
             display_name: str | None = None, config: "Config | None" = None, replace: bool = False) -> User:
    """Create (or, with ``replace``, overwrite) a user; the department must exist in the config."""
    if not USERNAME_RE.match(username):
        raise AuthError("用户名只能包含字母、数字和 _ . @ -，长度 2–100")
    if len(password) < MIN_PASSWORD_LEN:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LEN} 个字符")
    department = _check_role(role, department, config)
    now = to_db_time(now_local())
    values = {"password_hash": hash_password(password), "role": role, "department": department,
              "display_name": display_name or username, "active": True, "updated_at": now}
    with store.begin() as conn:
        exists = conn.execute(select(schema.users.c.username).where(schema.users.c.username == username)).first()
        if exists and not replace:
            raise AuthError(f"用户 {username} 已存在")
        if exists:
            conn.execute(update(schema.users).where(schema.users.c.username == username).values(**values))
        else:
            conn.execute(schema.users.insert().values(username=username, created_at=now, **values))
    user = get_user(store, username)
    assert user is not None
    return user


def set_password(store: Store, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LEN} 个字符")
    with store.begin() as conn:
        n = conn.execute(update(schema.users).where(schema.users.c.username == username).values(
            password_hash=hash_password(password), updated_at=to_db_time(now_local()))).rowcount
    if not n:
        raise AuthError(f"没有用户 {username}")


def set_active(store: Store, username: str, active: bool) -> None:
    with store.begin() as conn:
        n = conn.execute(update(schema.users).where(schema.users.c.username == username).values(
            active=active, updated_at=to_db_time(now_local()))).rowcount
    if not n:
        raise AuthError(f"没有用户 {username}")


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The active user with that password, else None; unknown names cost the same time."""
    user = get_user(store, username) if USERNAME_RE.match(username or "") else None
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    ok = verify_password(password, user.password_hash)
    return user if ok and user.active else None


class LoginThrottle:
    """Slows password guessing: after ``limit`` failures for one name or one address within
    ``window_s``, further attempts are refused until the window passes (in memory, per process)."""

    def __init__(self, limit: int = 5, window_s: float = 900.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def blocked(self, username: str, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return any(len(self._recent(k, now)) >= self.limit for k in (f"u:{username}", f"a:{address}"))

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if len(self._failures) > 10_000:  # bounded memory under a flood of names
            self._failures.clear()
        for key in (f"u:{username}", f"a:{address}"):
            self._failures.setdefault(key, []).append(now)

    def succeeded(self, username: str, address: str) -> None:
        self._failures.pop(f"u:{username}", None)


# --------------------------------------------------------------------------- signing
class SessionSigner:
    """HMAC-SHA256 signed, timestamped tokens (``payload.signature``, both base64url)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("session secret must be at least 32 bytes")
        self._secret = secret

    def _mac(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self._secret, f"{purpose}|{body}".encode("ascii"), hashlib.sha256).digest())

    def sign(self, payload: dict[str, Any], purpose: str = "session") -> str:
        body = _b64(json.dumps({**payload, "iat": int(time.time())}, separators=(",", ":")).encode("utf-8"))
        return f"{body}.{self._mac(purpose, body)}"

    def unsign(self, token: str | None, max_age_s: int = SESSION_MAX_AGE_S,
               purpose: str = "session") -> dict[str, Any] | None:
        """The payload of a valid, unexpired token; None for anything else."""
        if not token or token.count(".") != 1 or len(token) > 4096:
            return None
        body, mac = token.split(".")
        try:
            if not hmac.compare_digest(mac.encode("ascii"), self._mac(purpose, body).encode("ascii")):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeError):
            return None
        if not isinstance(payload, dict):
            return None
        iat = payload.get("iat")
        if not isinstance(iat, int) or not (time.time() - max_age_s <= iat <= time.time() + 60):
            return None
        return payload

    def csrf_token(self, nonce: str) -> str:
        """The form token for the browser holding CSRF cookie ``nonce``."""
        return self._mac("csrf", nonce)

    def check_csrf(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token or len(nonce) > 200 or len(token) > 200:
            return False
        try:
            return hmac.compare_digest(token.encode("ascii"), self.csrf_token(nonce).encode("ascii"))
        except UnicodeEncodeError:
            return False


def load_secret(app: "App") -> bytes:
    """The installation's signing secret, created on first use under the data directory (0600)."""
    path = app.path("web") / "secret_key"
    if path.exists():
        secret = path.read_bytes()
        if len(secret) >= 32:
            return secret
    secret = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return secret


def session_token(signer: SessionSigner, user: User) -> str:
    return signer.sign({"u": user.username, "fp": user.session_fingerprint()})


def user_from_session(signer: SessionSigner, store: Store, token: str | None) -> User | None:
    """The logged-in user for a session cookie, re-read from the store on every request."""
    payload = signer.unsign(token)
    if payload is None or not isinstance(payload.get("u"), str):
        return None
    user = get_user(store, payload["u"])
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(payload.get("fp", "")), user.session_fingerprint()):
        return None
    return user
