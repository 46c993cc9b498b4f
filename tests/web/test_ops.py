"""/healthz and /metrics, scraped as Prometheus and a load balancer would."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def scrape(client) -> dict[str, list]:
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    return {f.name: f.samples for f in text_string_to_metric_families(resp.text)}


def value(samples, name: str, **labels: str) -> float:
    return next(s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_healthz_reports_store_and_search(client) -> None:
    resp = client.get("/healthz")
    body = resp.json()
    assert resp.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["store"]["ok"] and body["checks"]["search"]["backend"] == "embedded"


def test_healthz_is_503_when_the_store_is_unreachable(tmp_path) -> None:
    from fastapi.testclient import TestClient
    from suqiu.installation import Installation, write_default_config
    from suqiu.web.application import create_app
    home = tmp_path / "h"
    write_default_config(home)
    db = tmp_path / "store.db"
    app = Installation.load(home, environ={"SUQIU_STORE_URL": f"sqlite:///{db}"})
    api = create_app(app)
    app.store.close()
    for suffix in ("", "-wal", "-shm"):          # the database file is gone, a directory in its place
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    db.mkdir()
    with TestClient(api, base_url="http://127.0.0.1") as c:
        resp = c.get("/healthz")
        body = resp.json()
        assert resp.status_code == 503 and body["status"] == "unavailable" and not body["checks"]["store"]["ok"]
        assert "suqiu_store_up 0.0" in c.get("/metrics").text


def test_metrics_count_requests_by_route_template(client, seeded) -> None:
    client.get("/healthz")
    client.get("/open311/v2/services.json")
    families = scrape(client)
    assert value(families["suqiu_http_requests"], "suqiu_http_requests_total", route="/healthz", status="200") >= 1
    assert value(families["suqiu_http_requests"], "suqiu_http_requests_total", route="/open311/v2/services.{fmt}") >= 1


def test_metrics_have_a_latency_histogram(client) -> None:
    client.get("/healthz")
    samples = scrape(client)["suqiu_http_request_duration_seconds"]
    assert value(samples, "suqiu_http_request_duration_seconds_count", route="/healthz") >= 1
    assert any(s.name.endswith("_bucket") and s.labels["le"] == "0.1" for s in samples)


def test_unknown_paths_share_one_label(client) -> None:
    client.get("/no/such/page/123")
    client.get("/no/such/page/456")
    samples = scrape(client)["suqiu_http_requests"]
    assert value(samples, "suqiu_http_requests_total", route="unmatched", status="404") >= 2
    assert not any("123" in s.labels.get("route", "") for s in samples)


def test_metrics_show_pending_per_stage_and_overdue(client, seeded_app) -> None:
    app, _ = seeded_app
    families = scrape(client)
    pending = {s.labels["stage"]: s.value for s in families["suqiu_pending"]}
    assert set(pending) == {"analyze", "classify", "index"}
    assert pending["analyze"] == len(app.store.pending("analyze"))
    assert pending["index"] == len(app.store.pending("index", key="version"))
    assert families["suqiu_overdue"][0].value >= 0 and families["suqiu_store_up"][0].value == 1


def test_metrics_need_no_login_and_show_no_text(client, seeded_app) -> None:
    text = client.get("/metrics").text
    assert "路灯" not in text and "suqiu_pending" in text
