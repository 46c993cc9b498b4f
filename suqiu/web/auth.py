"""Signed session cookies, CSRF tokens and the login throttle (accounts: ``suqiu.twoway.accounts``).

A session lives in the store (``web_sessions``, by the SHA-256 of a random id); the cookie carries
that id, the username, the login time, the time of the last request and a fingerprint of the
stored password hash, signed with HMAC-SHA256 under a per-installation secret. Logout deletes the
session; changing a password or deactivating a user ends all of theirs; a session also ends after
``SESSION_IDLE_S`` without a request and ``SESSION_MAX_AGE_S`` after login. The user's role and
department are always read from the store, never trusted from the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from typing import Any

from suqiu.installation import Installation
from suqiu.state import shared_state
from suqiu.store import Store, now_local
from suqiu.twoway.accounts import User, get_user

SESSION_COOKIE = "suqiu_session"
CSRF_COOKIE = "suqiu_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE_S = 12 * 3600     # from login, whatever the activity
SESSION_IDLE_S = 30 * 60          # without a request (``server.session_idle_minutes``)
SESSION_RENEW_S = 60              # the idle clock in the cookie is reset at most once a minute


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(kind: str, *parts: str) -> str:
    """A throttle key: its kind and a hash (what was typed as a name is never stored)."""
    return f"{kind}:" + hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:40]


class LoginThrottle:
    """Slows password guessing by delays, never by a lockout, in the store (shared by every process).

    Two counters per attempt: the name from this address, and the address. Each allows a few free
    attempts, then makes the next one wait, doubling per further attempt up to ``cap_s``: a guesser
    slows down to a crawl while the real user, from their own address, is not held up at all. The
    name's counter counts the attempt before the password is checked, in one transaction with the
    check, so concurrent guesses at one name cannot all pass; a successful sign-in clears it. The
    address's counter (many names from one address: spraying) counts failures only: an office
    behind one NAT address signing in together every morning is never refused for its successes,
    and a spray is slowed once its first failures are counted (its burst before that bounded by
    the server's concurrent requests, each name's by the name's own counter)."""

    def __init__(self, store: Store, name_free: int = 5, address_free: int = 20, base_s: float = 1.0,
                 cap_s: float = 900.0, window_s: float = 3600.0) -> None:
        if window_s < cap_s:
            raise ValueError("the window must outlast the longest delay, or counters would be evicted early")
        self.store = store
        self.free = {"na": name_free, "a": address_free}
        self.base_s, self.cap_s, self.window_s = base_s, cap_s, window_s

    def keys(self, username: str, address: str) -> tuple[str, str]:
        return _key("na", username.lower(), address), _key("a", address)

    def wait_after(self, key: str, failures: int) -> float:
        """Seconds before the next attempt once ``failures`` attempts are counted on ``key``."""
        free = self.free[key.split(":", 1)[0]]
        if failures < free:
            return 0.0
        return min(self.cap_s, self.base_s * 2.0 ** min(failures - free, 40))

    def claim(self, username: str, address: str, now: float | None = None) -> float:
        """0.0 when this attempt may check its password (it is counted), else the seconds to wait."""
        now = time.time() if now is None else now
        keys = self.keys(username, address)
        return self.store.claim_login_attempt(keys, now, self.window_s, self.wait_after, counted=keys[:1])

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        """A wrong password: counted on the address (the name's counter counted it already)."""
        now = time.time() if now is None else now
        self.store.claim_login_attempt(self.keys(username, address)[1:], now, self.window_s, self.wait_after,
                                       refuse=False)

    def succeeded(self, username: str, address: str) -> None:
        self.store.settle_login_attempt(self.keys(username, address)[:1])


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
        body = _b64(json.dumps({"iat": int(time.time()), **payload}, separators=(",", ":")).encode("utf-8"))
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


def _session_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii")).hexdigest()


def start_session(signer: SessionSigner, store: Store, user: User) -> str:
    """A new server-side session for ``user``; returns the cookie value naming it."""
    sid = secrets.token_urlsafe(32)
    store.add_web_session(_session_hash(sid), user.username, now_local() + timedelta(seconds=SESSION_MAX_AGE_S))
    return signer.sign({"u": user.username, "fp": user.session_fingerprint(), "sid": sid, "seen": int(time.time())})


def end_session(signer: SessionSigner, store: Store, token: str | None) -> None:
    """Logout: the session is deleted from the store, so its cookie stops working everywhere."""
    payload = signer.unsign(token)
    if payload is not None and isinstance(payload.get("sid"), str):
        store.end_web_sessions(session_hash=_session_hash(payload["sid"]))


def session_user(signer: SessionSigner, store: Store, token: str | None,
                 idle_s: float = SESSION_IDLE_S) -> tuple[User | None, str | None]:
    """The logged-in user for a session cookie (re-read from the store on every request), and a
    renewed cookie value when the idle clock should be reset (else None)."""
    payload = signer.unsign(token)
    if payload is None or not isinstance(payload.get("u"), str) or not isinstance(payload.get("sid"), str):
        return None, None
    seen, now = payload.get("seen"), int(time.time())
    if not isinstance(seen, int) or now - seen > idle_s:
        return None, None
    if store.web_session_user(_session_hash(payload["sid"])) != payload["u"]:
        return None, None
    user = get_user(store, payload["u"])
    if user is None or not user.active:
        return None, None
    if not hmac.compare_digest(str(payload.get("fp", "")), user.session_fingerprint()):
        return None, None
    renewed = signer.sign({**payload, "seen": now}) if now - seen >= SESSION_RENEW_S else None
    return user, renewed


def user_from_session(signer: SessionSigner, store: Store, token: str | None,
                      idle_s: float = SESSION_IDLE_S) -> User | None:
    return session_user(signer, store, token, idle_s)[0]
