"""Users, password hashing, signed sessions and CSRF tokens."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from suqiu.store import schema
from suqiu.twoway.accounts import (
    AuthError, add_user, authenticate, get_user, hash_password, set_active, set_password, verify_password,
)
from suqiu.web.auth import SessionSigner, start_session, user_from_session

SECRET = b"k" * 32


def test_hash_is_salted_and_verifies() -> None:
    a, b = hash_password("正确的密码123"), hash_password("正确的密码123")
    assert a != b                      # per-call salt
    assert a.startswith("$argon2id$")
    assert "正确的密码123" not in a
    assert verify_password("正确的密码123", a)
    assert verify_password("正确的密码123", b)
    assert not verify_password("正确的密码124", a)
    assert not verify_password("", a)


@pytest.mark.parametrize("stored", ["", "plain", "md5$abc", "scrypt$x$8$1$AA$BB", "scrypt$16384$8$1$!!$??"])
def test_malformed_hashes_never_verify(stored: str) -> None:
    assert not verify_password("anything", stored)


def test_store_holds_only_the_hash(app) -> None:
    add_user(app.store, "office1", "secret-pass-1", "office", config=app.config)
    with app.store.engine.connect() as conn:
        row = conn.execute(select(schema.users)).mappings().one()
    assert "secret-pass-1" not in str(dict(row))
    assert verify_password("secret-pass-1", row["password_hash"])


def test_authenticate(app) -> None:
    add_user(app.store, "office1", "secret-pass-1", "office", config=app.config)
    assert authenticate(app.store, "office1", "secret-pass-1").username == "office1"
    assert authenticate(app.store, "office1", "wrong-pass-1") is None
    assert authenticate(app.store, "nobody", "secret-pass-1") is None
    assert authenticate(app.store, "<script>", "secret-pass-1") is None
    set_active(app.store, "office1", False)
    assert authenticate(app.store, "office1", "secret-pass-1") is None


def test_department_user_needs_a_configured_department(app) -> None:
    with pytest.raises(AuthError, match="必须指定部门"):
        add_user(app.store, "d1", "password-1", "department", config=app.config)
    with pytest.raises(AuthError, match="没有部门"):
        add_user(app.store, "d1", "password-1", "department", "不存在局", config=app.config)
    with pytest.raises(AuthError, match="未知角色"):
        add_user(app.store, "d1", "password-1", "admin", config=app.config)
    with pytest.raises(AuthError, match="只有 department"):
        add_user(app.store, "d1", "password-1", "office", "教育局", config=app.config)
    user = add_user(app.store, "d1", "password-1", "department", "教育局", config=app.config)
    assert (user.role, user.department) == ("department", "教育局")


def test_alias_resolves_to_canonical_department(app) -> None:
    dept = app.config.departments[0]
    if not dept.aliases:
        pytest.skip("default config has no alias on the first department")
    user = add_user(app.store, "d2", "password-1", "department", dept.aliases[0], config=app.config)
    assert user.department == dept.name


def test_user_rules(app) -> None:
    with pytest.raises(AuthError, match="密码至少"):
        add_user(app.store, "office1", "short", "office")
    with pytest.raises(AuthError, match="用户名"):
        add_user(app.store, "bad name", "password-1", "office")
    add_user(app.store, "office1", "password-1", "office")
    with pytest.raises(AuthError, match="已存在"):
        add_user(app.store, "office1", "password-2", "office")
    add_user(app.store, "office1", "password-2", "public", replace=True)
    assert get_user(app.store, "office1").role == "public"


def test_signed_tokens() -> None:
    signer = SessionSigner(SECRET)
    token = signer.sign({"u": "office1"})
    assert signer.unsign(token)["u"] == "office1"
    body, mac = token.split(".")
    assert signer.unsign(f"{body}.{mac[:-2]}AA") is None                 # tampered signature
    assert signer.unsign(token, purpose="other") is None                  # bound to its purpose
    assert SessionSigner(b"x" * 32).unsign(token) is None                  # another installation
    forged = SessionSigner(b"x" * 32).sign({"u": "admin"})
    assert signer.unsign(forged) is None
    for junk in (None, "", "a", "a.b.c", "%%%.###"):
        assert signer.unsign(junk) is None


def test_tokens_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = SessionSigner(SECRET)
    token = signer.sign({"u": "office1"})
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 13 * 3600)
    assert signer.unsign(token) is None


def test_password_change_and_disable_end_sessions(app) -> None:
    signer = SessionSigner(SECRET)
    user = add_user(app.store, "office1", "password-1", "office")
    token = start_session(signer, app.store, user)
    assert user_from_session(signer, app.store, token).username == "office1"
    set_password(app.store, "office1", "password-2")
    assert user_from_session(signer, app.store, token) is None
    token = start_session(signer, app.store, get_user(app.store, "office1"))
    set_active(app.store, "office1", False)
    assert user_from_session(signer, app.store, token) is None


def test_csrf_tokens() -> None:
    signer = SessionSigner(SECRET)
    token = signer.csrf_token("nonce-abcdefghijkl")
    assert signer.check_csrf("nonce-abcdefghijkl", token)
    assert not signer.check_csrf("nonce-other-123456", token)
    assert not signer.check_csrf(None, token)
    assert not signer.check_csrf("nonce-abcdefghijkl", "")
    assert not signer.check_csrf("nonce-abcdefghijkl", "令牌")
