from pathlib import Path

import yaml

from flows.schedules import SCHEDULES, TIMEZONE

ROOT = Path(__file__).resolve().parents[2]


def _yaml():
    return {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}


def test_schedules_in_shanghai_time():
    crons = {s.name: s.cron for s in SCHEDULES}
    assert crons == {"ingest-hourly": "0 * * * *", "digests-daily": "0 8 * * *", "weekly-report": "0 8 * * 1",
                     "monthly-report": "0 8 1 * *", "quarterly-report": "0 8 1 1,4,7,10 *",
                     "yearly-report": "0 9 1 1 *"}
    assert {s.parameters.get("kind") for s in SCHEDULES if s.entrypoint.startswith("flows/leaders.py")} == {
        "month", "quarter", "year"}
    assert TIMEZONE == "Asia/Shanghai"


def test_prefect_yaml_matches_serve_script():
    deployed = _yaml()
    for s in SCHEDULES:
        d = deployed[s.name]
        assert d["entrypoint"] == s.entrypoint
        assert d["schedules"] == [{"cron": s.cron, "timezone": TIMEZONE}]
        assert (d.get("parameters") or {}) == s.parameters


def test_entrypoints_resolve_to_flows():
    from prefect import Flow

    from flows.serve import load_flow
    for s in SCHEDULES:
        assert isinstance(load_flow(s.entrypoint), Flow)


def test_serve_deployments_carry_timezone():
    from flows.serve import deployments
    for dep in deployments(home="/tmp/suqiu-test-home"):
        sched = dep.schedules[0].schedule
        assert sched.timezone == TIMEZONE
        assert dep.parameters["home"] == "/tmp/suqiu-test-home"
