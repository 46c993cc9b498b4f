"""Password hashing: argon2id, older scrypt hashes still verify once and are rehashed at sign-in
(issue 18, item 12; deliver 4).

Found open: scrypt with N=2^14, under OWASP's 2^17 minimum, never rehashed.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from suqiu.twoway import accounts
from suqiu.twoway.accounts import add_user, authenticate, get_user, hash_password, needs_rehash, verify_password


def test_new_hashes_are_argon2id_at_owasp_parameters() -> None:
    h = hash_password("正确的密码123")
    assert h.startswith("$argon2id$v=19$")
    params = dict(p.split("=") for p in h.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert verify_password("正确的密码123", h) and not verify_password("正确的密码124", h)
    assert not needs_rehash(h)


def test_a_legacy_scrypt_user_signs_in_once_and_is_rehashed(app) -> None:
    add_user(app.store, "legacy", "legacy-pass-1", "office", config=app.config)
    app.store.update_user("legacy", password_hash=accounts.scrypt_hash("legacy-pass-1"))
    assert get_user(app.store, "legacy").password_hash.startswith("scrypt$")
    assert authenticate(app.store, "legacy", "wrong-pass-1") is None
    assert get_user(app.store, "legacy").password_hash.startswith("scrypt$")      # no rehash on failure
    user = authenticate(app.store, "legacy", "legacy-pass-1")
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert get_user(app.store, "legacy").password_hash.startswith("$argon2id$")
    assert authenticate(app.store, "legacy", "legacy-pass-1") is not None         # and still signs in


def test_weaker_argon2_parameters_are_upgraded_too(app) -> None:
    add_user(app.store, "weak", "weak-pass-01", "office", config=app.config)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("weak-pass-01")
    app.store.update_user("weak", password_hash=weak)
    assert needs_rehash(weak)
    assert authenticate(app.store, "weak", "weak-pass-01") is not None
    assert get_user(app.store, "weak").password_hash != weak and not needs_rehash(get_user(app.store, "weak").password_hash)


@pytest.mark.parametrize("stored", ["", "plain", "$argon2id$", "$argon2id$v=19$m=19456,t=2,p=1$!!$??",
                                    "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"])
def test_malformed_or_other_hashes_never_verify(stored: str) -> None:
    assert not verify_password("anything", stored)
