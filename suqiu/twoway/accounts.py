"""Web accounts: users with a role (and a department), stored with salted password hashes.

Passwords are stored as argon2id hashes (``argon2-cffi``; OWASP's parameters: 19 MiB, 2 passes,
1 lane). Hashes from earlier releases (scrypt, N=2^14) still verify, and are replaced by an argon2id
hash at the user's next successful sign-in, as are argon2id hashes with weaker parameters.
A user's role and department are always read from the store, never from a cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from suqiu.config import Config
from suqiu.labels import ROLE
from suqiu.principals import LEGACY_ROLES, Principal
from suqiu.store import Store

ROLES: tuple[str, ...] = ("office", "department", "public")
MIN_PASSWORD_LEN = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")

# argon2id at OWASP's password-storage minimum (m=19 MiB, t=2, p=1): ~90 ms per check measured on a busy 2-core box
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM = 2, 19 * 1024, 1
# scrypt: what earlier releases stored; verified so their users can sign in (and be rehashed) once
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2 ** 14, 8, 1, 32


class AuthError(ValueError):
    """A user could not be created or changed; the message is for the operator (Chinese)."""


# --------------------------------------------------------------------------- passwords
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
                          parallelism=ARGON2_PARALLELISM, hash_len=32, salt_len=16)


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string ``$argon2id$v=19$m=…,t=…,p=…$salt$hash``), fresh salt per call."""
    return _hasher().hash(password)


def scrypt_hash(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` as earlier releases stored it (kept to test their upgrade)."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
                            dklen=_SCRYPT_LEN, maxmem=64 * 1024 * 1024)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(_unb64(expected)), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, _unb64(expected))


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored argon2id (or legacy scrypt) hash."""
    if stored.startswith("$argon2id$"):
        try:
            return _hasher().verify(stored, password)
        except (VerificationError, InvalidHashError, ValueError):
            return False
    return _verify_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    """Whether a verified hash should be replaced: not argon2id, or argon2id with other parameters."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _hasher().check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


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
        return ROLE.get(self.role, self.role)

    @property
    def principal(self) -> Principal:
        """Who this user is to the access rules (role and department from the store)."""
        return Principal(self.role, department=self.department if self.role == "department" else None,
                         name=self.username)

    def session_fingerprint(self) -> str:
        """Changes whenever the password changes, which ends existing sessions."""
        return hashlib.sha256(self.password_hash.encode("ascii")).hexdigest()[:16]


def _user_from_row(row: Any) -> User:
    return User(username=row["username"], role=LEGACY_ROLES.get(row["role"], row["role"]), department=row["department"],
                display_name=row["display_name"] or row["username"], password_hash=row["password_hash"],
                active=bool(row["active"]))


def get_user(store: Store, username: str) -> User | None:
    row = store.user_row(username)
    return None if row is None else _user_from_row(row)


def list_users(store: Store) -> list[User]:
    return [_user_from_row(r) for r in store.user_rows()]


def _check_role(role: str, department: str | None, config: Config | None) -> str | None:
    role = LEGACY_ROLES.get(role, role)
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
             display_name: str | None = None, config: Config | None = None, replace: bool = False) -> User:
    """Create (or, with ``replace``, overwrite) a user; the department must exist in the config."""
    role = LEGACY_ROLES.get(role, role)
    if not USERNAME_RE.match(username):
        raise AuthError("用户名只能包含字母、数字和 _ . @ -，长度 2–100")
    if len(password) < MIN_PASSWORD_LEN:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LEN} 个字符")
    department = _check_role(role, department, config)
    values = {"password_hash": hash_password(password), "role": role, "department": department,
              "display_name": display_name or username, "active": True}
    if not store.save_user(username, values, replace):
        raise AuthError(f"用户 {username} 已存在")
    user = get_user(store, username)
    assert user is not None
    return user


def set_password(store: Store, username: str, password: str) -> None:
    """A new password ends every session of the user (they sign in again with it)."""
    if len(password) < MIN_PASSWORD_LEN:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LEN} 个字符")
    if not store.update_user(username, password_hash=hash_password(password)):
        raise AuthError(f"没有用户 {username}")
    store.end_web_sessions(username=username)


def set_active(store: Store, username: str, active: bool) -> None:
    """Deactivating a user ends their sessions at once."""
    if not store.update_user(username, active=active):
        raise AuthError(f"没有用户 {username}")
    if not active:
        store.end_web_sessions(username=username)


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The active user with that password, else None; unknown names cost the same time."""
    user = get_user(store, username) if USERNAME_RE.match(username or "") else None
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    if needs_rehash(user.password_hash):  # an older hash: replaced now that the password is known
        store.update_user(username, password_hash=hash_password(password))
        user = get_user(store, username) or user
    return user
