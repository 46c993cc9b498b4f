from pathlib import Path

import yaml

from flows.schedules import JOB_ENV, SCHEDULES, TIMEZONE, WORK_POOL

ROOT = Path(__file__).resolve().parents[2]


def _yaml():
    return {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}


def test_schedules_in_shanghai_time():
    crons = {s.name: s.cron for s in SCHEDULES if s.cron}
    assert crons == {"ingest-hourly": "0 * * * *", "digests-daily": "0 8 * * *", "weekly-report": "0 8 * * 1",
                     "monthly-report": "0 8 1 * *", "quarterly-report": "0 8 1 1,4,7,10 *",
                     "yearly-report": "0 9 1 1 *"}
    assert {s.parameters.get("kind") for s in SCHEDULES if s.entrypoint.startswith("flows/leaders.py")} == {
        "month", "quarter", "year"}
    assert TIMEZONE == "Asia/Shanghai"


def test_ingest_analyze_route_index_and_report_each_run_one_at_a_time():
    flows = {s.entrypoint.rsplit(":", 1)[1]: s for s in SCHEDULES}
    assert set(flows) == {"ingest", "analyze", "route", "index", "weekly_report", "leaders_report"}
    assert all(s.limit == 1 for s in SCHEDULES)
    assert flows["ingest"].collision == "CANCEL_NEW"  # an overlapping hour is skipped; the next catches up


def test_prefect_yaml_matches_serve_script():
    deployed = _yaml()
    assert set(deployed) == {s.name for s in SCHEDULES}
    for s in SCHEDULES:
        d = deployed[s.name]
        assert d["entrypoint"] == s.entrypoint
        assert d["schedules"] == ([{"cron": s.cron, "timezone": TIMEZONE}] if s.cron else [])
        assert (d.get("parameters") or {}) == s.parameters
        assert d["concurrency_limit"] == s.concurrency()


def test_workers_get_the_home_and_the_shared_store_from_the_work_pool():
    for d in _yaml().values():
        assert d["work_pool"]["name"] == WORK_POOL
        assert d["work_pool"]["job_variables"]["env"] == JOB_ENV
    assert set(JOB_ENV) == {"SUQIU_HOME", "SUQIU_STORE_URL"}


def test_entrypoints_resolve_to_flows():
    from prefect import Flow

    from flows.serve import load_flow
    for s in SCHEDULES:
        assert isinstance(load_flow(s.entrypoint), Flow)


def test_serve_deployments_carry_timezone_and_concurrency_limit():
    from flows.serve import deployments
    by_name = {s.name: s for s in SCHEDULES}
    for dep in deployments(home="/tmp/suqiu-test-home"):
        s = by_name[dep.name]
        if s.cron:
            assert dep.schedules[0].schedule.timezone == TIMEZONE
        else:
            assert not dep.schedules
        assert dep.parameters["home"] == "/tmp/suqiu-test-home"
        assert dep.concurrency_limit == 1
        assert dep.concurrency_options.collision_strategy.value == s.collision


def test_prefect_reads_prefect_yaml_limits_and_job_variables():
    """Prefect's own model of prefect.yaml (what `prefect deploy` validates) accepts the file."""
    from prefect.cli.deploy._models import PrefectYamlModel
    model = PrefectYamlModel.model_validate(yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8")))
    for d in model.deployments:
        assert d.concurrency_limit.limit == 1 and d.work_pool.job_variables["env"] == JOB_ENV
