"""The demo's workbench part: its two users, a simulated first day through the real steps, and a
receipt to try the status page with."""

from __future__ import annotations

from datetime import timedelta

from flows.demo import DEMO_DEPARTMENT, demo_department_user, simulate_first_day, status_example
from suqiu.store import now_local
from suqiu.twoway.accounts import authenticate
from suqiu.twoway.dispatch import route_pending
from suqiu.twoway.rates import department_rates
from tests.twoway.seed import analysis, demand, seed


def _demands(app):
    at = now_local() - timedelta(days=1)
    rows = []
    for dept in ("住房和城乡建设局", DEMO_DEPARTMENT):
        for i in range(30):
            sid = f"{dept[:2]}{i}"
            rows.append((demand(sid, f"问题{i}", f"问题{i}", received_at=at, department_given=dept),
                         analysis(f"hotline:{sid}", f"问题{i}", f"问题{i}", None, reason=None)))
    seed(app.store, rows)
    route_pending(app)


def test_the_demo_department_user_can_sign_in(app):
    logins = demo_department_user(app)
    assert [(u["username"], u["role"], u["start"]) for u in logins] == [("sthj", "department", "/work")]
    assert all(authenticate(app.store, u["username"], u["password"]) for u in logins)
    again = demo_department_user(app)            # a re-run replaces it with a fresh password
    assert again[0]["password"] != logins[0]["password"]


def test_a_simulated_first_day_leaves_the_demo_department_untouched(app):
    _demands(app)
    day = simulate_first_day(app, seed=7)
    assert day["signed"] > 10 and day["answered"] > 5 and day["called_back"] > 3
    rates = department_rates(app.store, app.config)
    assert rates["住房和城乡建设局"].called_back == day["called_back"]
    assert rates[DEMO_DEPARTMENT].response_base == 0 and rates[DEMO_DEPARTMENT].called_back == 0
    assert simulate_first_day(app, seed=7)["signed"] < day["signed"]   # fewer routed ones are left


def test_the_status_example_opens_the_status_page(app):
    _demands(app)
    example = status_example(app)
    order = app.store.work_order(f"hotline:{example['number']}")
    assert example["code"] == order["verify_code"]
