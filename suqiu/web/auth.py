"""Signed session cookies, CSRF tokens and the login throttle (accounts: ``suqiu.twoway.accounts``).

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
import secrets
import time
from typing import Any

from suqiu.installation import Installation
from suqiu.state import shared_state
from suqiu.store import Store
from suqiu.twoway.accounts import User, get_user

SESSION_COOKIE = "suqiu_session"
CSRF_COOKIE = "suqiu_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE_S = 12 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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


SECRET_KEY = "web/secret_key"   # in the shared state: every web server signs and checks alike


def load_secret(app: Installation) -> bytes:
    """The installation's signing secret, made on first use; in the shared state (never on one
    machine's disk), so sessions hold whichever web server answers. Two servers starting at once
    keep the first secret written."""
    state = shared_state(app)
    secret = state.get(SECRET_KEY)
    if secret is not None and len(secret) >= 32:
        return secret
    made = secrets.token_bytes(32)
    if secret is not None:  # too short to be ours: replace it
        state.put(SECRET_KEY, made)
        return made
    if state.put(SECRET_KEY, made, create_only=True):
        return made
    return state.get(SECRET_KEY) or made


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
