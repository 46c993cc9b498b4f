"""The login throttle (issue 18, item 5): atomic, by age, delays not lockouts, proxy-aware, shared.

Found open: 30 concurrent wrong passwords all reached the password check (checked before the hash,
counted after); five failures locked a named user out from everywhere; behind a proxy one client
locked out everyone; the counters were wiped whole past 10,000 keys; they lived in one process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from suqiu.store import schema
from suqiu.twoway.accounts import add_user
from suqiu.web.application import create_app
from suqiu.web.auth import LoginThrottle
from tests.web.conftest import csrf_from
from tests.web.live import live_server

PASSWORD = "office-pass-1"
ROOT = Path(__file__).resolve().parents[2]


def _counters(store) -> int:
    with store.engine.connect() as conn:
        return len(conn.execute(schema.login_attempts.select()).all())


@pytest.fixture
def office(app):
    add_user(app.store, "office", PASSWORD, "office", config=app.config)
    return app


def _web(app, base_s: float = 60.0):
    """The app with its throttle's first delay at ``base_s``: long enough that no delay runs out
    while a test runs on a slow machine (the default, 1 s, could let a late guess through)."""
    api = create_app(app)
    api.state.login_throttle = LoginThrottle(app.store, base_s=base_s, cap_s=900.0)
    return api


def _client(app, address: str, base_s: float = 60.0) -> TestClient:
    return TestClient(_web(app, base_s), base_url="http://127.0.0.1", client=(address, 40000))


def _attempt(c: TestClient, password: str, headers: dict[str, str] | None = None, name: str = "office") -> int:
    page = c.get("/login", headers=headers)
    return c.post("/login", data={"username": name, "password": password, "csrf_token": csrf_from(page.text)},
                  headers=headers, follow_redirects=False).status_code


def test_concurrent_wrong_passwords_cannot_all_reach_the_check(office) -> None:
    with live_server(_web(office)) as base:
        first = httpx.get(f"{base}/login")
        token, cookies = csrf_from(first.text), dict(first.cookies)
        codes: list[int] = []
        lock = threading.Lock()

        def guess(i: int) -> None:
            r = httpx.post(f"{base}/login", cookies=cookies, timeout=60, follow_redirects=False,
                           data={"username": "office", "password": f"wrong-{i:04d}", "csrf_token": token})
            with lock:
                codes.append(r.status_code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert len(codes) == 30
    assert codes.count(401) <= 5, f"{codes.count(401)} guesses reached the password check (limit 5)"
    assert codes.count(401) + codes.count(429) == 30


def test_a_guesser_delays_only_itself_not_the_real_user(office) -> None:
    attacker, user = _client(office, "10.0.0.66"), _client(office, "10.0.0.7")
    codes = [_attempt(attacker, f"wrong-{i}") for i in range(8)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert _attempt(user, PASSWORD) == 303          # the real user, from their own address, signs in


def test_the_refusal_says_how_long_to_wait_in_chinese(office) -> None:
    c = _client(office, "10.0.0.66")
    for i in range(5):
        _attempt(c, f"wrong-{i}")
    page = c.get("/login")
    r = c.post("/login", data={"username": "office", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
               follow_redirects=False)
    assert r.status_code == 429 and "秒后再试" in r.text and int(r.headers["retry-after"]) >= 1
    assert "suqiu_session" not in r.headers.get("set-cookie", "")   # even the right password waits its turn


def test_the_delay_doubles_and_then_lets_the_next_attempt_through(office) -> None:
    t = LoginThrottle(office.store, name_free=3, address_free=100, base_s=2, cap_s=60, window_s=600)
    assert [t.claim("office", "10.0.0.1", now=1000.0) for _ in range(3)] == [0, 0, 0]
    assert t.claim("office", "10.0.0.1", now=1000.5) == pytest.approx(1.5)   # 2 s after the third
    assert t.claim("office", "10.0.0.1", now=1002.0) == 0                    # waited: counted
    assert t.claim("office", "10.0.0.1", now=1003.0) == pytest.approx(3.0)   # now 4 s
    assert t.claim("office", "10.0.0.1", now=1006.0) == 0
    assert t.claim("office", "10.0.0.1", now=1007.0) == pytest.approx(7.0)   # 8 s
    assert t.claim("office", "10.0.0.2", now=1007.0) == 0                    # same name, another address


def test_many_names_from_one_address_are_slowed_by_the_address_counter(office) -> None:
    t = LoginThrottle(office.store, name_free=5, address_free=10, base_s=1, cap_s=60, window_s=600)
    waits = []
    for i in range(12):   # a spray: a wrong password at each name
        waits.append(t.claim(f"user{i}", "10.0.0.9", now=500.0))
        if waits[-1] == 0:
            t.failed(f"user{i}", "10.0.0.9", now=500.0)
    assert waits[:10] == [0] * 10 and all(w > 0 for w in waits[10:])


def test_an_office_behind_one_address_signing_in_at_once_is_not_refused(office) -> None:
    """Fifty people behind one NAT address, all between the check and the password at once: the
    address counts failures only, so their successes never use up its allowance (20)."""
    t = LoginThrottle(office.store, base_s=60)
    assert [t.claim(f"clerk{i}", "10.0.0.1", now=800.0) for i in range(50)] == [0.0] * 50
    for i in range(50):
        t.succeeded(f"clerk{i}", "10.0.0.1")
    assert t.claim("clerk0", "10.0.0.1", now=800.5) == 0.0
    assert _counters(office.store) == 2    # the address's (no failures) and clerk0's new one


def test_the_offices_typos_count_on_the_address_its_successes_do_not(office) -> None:
    t = LoginThrottle(office.store, name_free=5, address_free=3, base_s=60, cap_s=600, window_s=3600)
    for i in range(2):                       # two people mistype once, then sign in
        assert t.claim(f"clerk{i}", "10.0.0.1", now=900.0) == 0
        t.failed(f"clerk{i}", "10.0.0.1", now=900.0)
        assert t.claim(f"clerk{i}", "10.0.0.1", now=900.0) == 0
        t.succeeded(f"clerk{i}", "10.0.0.1")
    assert t.claim("clerk2", "10.0.0.1", now=900.0) == 0
    t.failed("clerk2", "10.0.0.1", now=900.0)   # the address's third failure: it waits a minute
    assert t.claim("clerk9", "10.0.0.1", now=901.0) == pytest.approx(59.0)
    assert t.claim("clerk9", "10.0.0.1", now=961.0) == 0


def test_concurrent_sign_ins_of_many_users_from_one_address_all_pass(office) -> None:
    names = [f"clerk{i:02d}" for i in range(30)]
    for name in names:
        add_user(office.store, name, PASSWORD, "office", config=office.config)
    with live_server(_web(office)) as base:
        first = httpx.get(f"{base}/login")
        token, cookies = csrf_from(first.text), dict(first.cookies)
        codes: list[int] = []
        barrier, lock = threading.Barrier(len(names)), threading.Lock()

        def sign_in(name: str) -> None:
            barrier.wait()
            r = httpx.post(f"{base}/login", cookies=cookies, timeout=60, follow_redirects=False,
                           data={"username": name, "password": PASSWORD, "csrf_token": token})
            with lock:
                codes.append(r.status_code)

        threads = [threading.Thread(target=sign_in, args=(n,)) for n in names]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
    assert codes == [303] * 30


def test_success_takes_its_attempt_back(office) -> None:
    t = LoginThrottle(office.store, name_free=3, address_free=3, base_s=10, cap_s=60, window_s=600)
    for _ in range(10):                       # an office behind one address signing in all day
        assert t.claim("office", "10.0.0.1", now=100.0) == 0
        t.succeeded("office", "10.0.0.1")


def test_counters_are_evicted_by_age_and_a_flood_of_names_wipes_nothing(office) -> None:
    t = LoginThrottle(office.store, name_free=1, address_free=10_000, base_s=30, cap_s=30, window_s=60)
    assert t.claim("office", "10.0.0.1", now=0.0) == 0
    for i in range(400):                      # a flood of other names does not reset the guesser's delay
        t.claim(f"name{i}", f"10.1.{i // 200}.{i % 200}", now=1.0)
    assert t.claim("office", "10.0.0.1", now=2.0) == pytest.approx(28.0)
    assert _counters(office.store) > 400
    t.claim("late", "10.9.9.9", now=100.0)   # past the window: every idle counter is gone, the new one kept
    assert _counters(office.store) == 2
    assert t.claim("office", "10.0.0.1", now=100.0) == 0


def test_the_throttle_is_shared_across_processes(office) -> None:
    # another process counts eight guesses, waiting out each delay (1, 2, 4 s), the last made 7 s ago:
    # the next attempt must wait 8 s from then, whichever process serves it
    script = ("import json, sys, time; from suqiu.installation import Installation;"
              "from suqiu.web.auth import LoginThrottle;"
              "t = LoginThrottle(Installation.load(sys.argv[1]).store); t0 = time.time() - 7;"
              "print(json.dumps([t.claim('office', '10.0.0.5', now=t0 + dt) for dt in (0, 0, 0, 0, 0, 1, 3, 7)]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script, str(office.home)], capture_output=True, text=True,
                         env=env, timeout=120, check=True)
    assert json.loads(out.stdout) == [0] * 8
    assert _attempt(_client(office, "10.0.0.5", base_s=1.0), PASSWORD) == 429   # this process sees the other's count


def test_forwarded_for_is_ignored_without_a_trusted_proxy(office) -> None:
    c = _client(office, "10.0.0.66")
    codes = [_attempt(c, f"wrong-{i}", headers={"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(7)]
    assert codes[-1] == 429                   # a forged header cannot buy fresh counters


def test_behind_a_trusted_proxy_each_client_has_its_own_counters(office) -> None:
    office.config.server.trusted_proxies = ["10.0.0.1"]
    proxy = _client(office, "10.0.0.1")
    codes = [_attempt(proxy, f"wrong-{i}", headers={"X-Forwarded-For": "203.0.113.5"}) for i in range(7)]
    assert codes[-1] == 429
    other = _client(office, "10.0.0.1")
    assert _attempt(other, PASSWORD, headers={"X-Forwarded-For": "203.0.113.9"}) == 303


def _concurrent_claims(store, n: int = 30) -> list[float]:
    t = LoginThrottle(store)
    barrier, waits, lock = threading.Barrier(n), [], threading.Lock()

    def claim() -> None:
        barrier.wait()
        w = t.claim("office", "10.0.0.1")
        with lock:
            waits.append(w)

    threads = [threading.Thread(target=claim) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    return waits


def test_concurrent_claims_are_atomic_on_sqlite(office) -> None:
    waits = _concurrent_claims(office.store)
    assert len(waits) == 30 and waits.count(0.0) == 5


@pytest.mark.postgres
def test_concurrent_claims_are_atomic_on_postgresql(pg_test_url) -> None:
    from suqiu.store import Store
    store = Store.open(pg_test_url)
    try:
        waits = _concurrent_claims(store)
        assert len(waits) == 30 and waits.count(0.0) == 5
        LoginThrottle(store).succeeded("office", "10.0.0.1")
        assert _counters(store) == 1                # the name's counter cleared, the address's kept
    finally:
        store.close()


def test_a_free_attempt_with_an_earlier_clock_is_not_refused(office) -> None:
    """Two sign-ins read the clock, then queue for the lock in the other order: both are free."""
    t = LoginThrottle(office.store)
    assert t.claim("office", "10.0.0.7", now=5000.2) == 0.0
    assert t.claim("office", "10.0.0.7", now=5000.1) == 0.0
