"""Do real mobile numbers leave the store? The Fuzhou 12345 export through everything that emits.

    .venv/bin/python bench/eval_pii_leak.py [--export PATH] [--es-url http://127.0.0.1:9200]

Imports the real (not anonymised) export into a throw-away installation, runs analysis (text stage,
classifiers, topics), routing, the embedded index, the weekly report for the week holding the most
demands with numbers, and every department's digest (the demands carrying numbers are reopened
first: the export is all answered, and only open demands go into digests). Then it reads back each
kind of output — digest HTML/.eml/XLSX, report HTML/DOCX/XLSX, the FTS5 database, CLI ``--json``
payloads, web pages and export, the department API, Open311 (and, with ``--es-url``, the
Elasticsearch documents) — and prints how many mobile numbers are in the source and how many are
left in each. Numbers themselves are never printed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports.audit import (  # noqa: E402
    artifact_kind, installation_artifacts, json_text, mobile_numbers, xml_texts,
)

EXPORT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fuzhou12345" / "hotline_export.csv"
PASSWORD = "audit-pass-001"


def source_counts(path: Path) -> tuple[int, set[str]]:
    text = path.read_text(encoding="utf-8")
    folded = text.translate({cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)})
    return len(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", folded)), mobile_numbers(text)


def week_with_most_numbers(app) -> str:
    from suqiu.weeks import Week
    weeks: Counter[str] = Counter()
    for rec in app.store.iter_records():
        if mobile_numbers(f"{rec.get('title') or ''} {rec.get('content') or ''}"):
            weeks[str(Week.of(rec["received_at"]))] += 1
    return weeks.most_common(1)[0][0]


def web_outputs(app, holders: list[str]) -> dict[str, list[str]]:
    """Pages, export, department API and Open311, fetched as their users would."""
    from fastapi.testclient import TestClient

    from suqiu.twoway.tokens import create_token
    from suqiu.web.application import create_app
    from suqiu.twoway.accounts import add_user
    add_user(app.store, "audit", PASSWORD, "office", config=app.config)
    token = create_token(app, None, "audit", role="office")[1]
    out: dict[str, list[str]] = defaultdict(list)
    with TestClient(create_app(app), base_url="http://127.0.0.1") as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"username": "audit", "password": PASSWORD, "csrf_token": csrf, "next": "/"})
        for q in ("", "河", "黑臭"):
            out["web search page"].append(client.get("/search", params={"q": q, "size": 100}).text)
        out["web export xlsx"] += xml_texts(client.get("/search/export.xlsx", params={"q": ""}).content)
        for rid in holders:
            out["web detail page"].append(client.get(f"/records/{rid}").text)
        client.cookies.clear()
        h = {"Authorization": f"Bearer {token}"}
        for offset in range(0, app.store.count(), 500):
            out["department api"].append(client.get("/api/v1/demands", headers=h,
                                                    params={"status": "all", "limit": 500, "offset": offset}).text)
        for rid in holders:
            out["department api"].append(client.get(f"/api/v1/demands/{rid}", headers=h).text)
        out["open311"].append(client.get("/open311/v2/requests.json",
                                         params={"service_request_id": ",".join(holders)}).text)
        out["open311"].append(client.get("/open311/v2/servicerequestupdates.json").text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--export", type=Path, default=EXPORT)
    ap.add_argument("--es-url", default=None, help="also index into this Elasticsearch and scan the documents")
    args = ap.parse_args()
    if not args.export.exists():
        sys.exit(f"export not found: {args.export} (needs ../shared/datasets)")

    from crawlers.importers.run import import_file
    from suqiu.weeks import Week
    from search.access import Principal
    from search.query import SearchQuery
    from search.service import search
    from nlp.stages import run_stages
    from suqiu.installation import Installation, write_default_config
    from reports.digests import deliver_digest
    from search.indexing import index_pending
    from suqiu.twoway.dispatch import route_pending
    from suqiu.cli.views_output import hotspots_payload, profiles_payload, topics_payload
    from reports.collect import write_weekly_report

    occurrences, numbers = source_counts(args.export)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        write_default_config(home)
        app = Installation.load(home, environ={})
        imported = import_file(app.store, app.config, args.export)
        analysis = run_stages(app)
        route_pending(app)
        index_pending(app)
        holders = [r["id"] for r in app.store.iter_records()
                   if mobile_numbers(" ".join(str(r.get(k) or "") for k in ("title", "content", "reply_text")))]
        stored = {n for r in app.store.iter_records()
                  for n in mobile_numbers(" ".join(str(r.get(k) or "") for k in ("title", "content", "reply_text")))}
        week = week_with_most_numbers(app)
        write_weekly_report(app, Week.parse(week), now=Week.parse(week).end)
        outputs: dict[str, list[str]] = defaultdict(list)
        outputs.update(web_outputs(app, holders))      # while the demands are closed: replies shown
        for rid in holders:
            app.store.set_fields(rid, {"status": "reopened"}, origin="api", actor="audit", note="重新办理")
        digests = [deliver_digest(app, d.name, "week") for d in app.config.departments]
        for name, texts in installation_artifacts(app).items():
            outputs[artifact_kind(name)] += texts
        office = Principal.office(name="audit")
        pages = -(-app.store.count() // 100)
        outputs["cli search --json"] = [json_text(search(app, SearchQuery.create("", size=100, page=p), office)
                                                  .as_dict()) for p in range(1, pages + 1)]
        outputs["cli topics --json"] = [json_text(topics_payload(app))]
        outputs["cli hotspots --json"] = [json_text(hotspots_payload(app, 100))]
        outputs["cli profiles --json"] = [json_text(profiles_payload(app, dim, None))
                                          for dim in ("district", "department", "channel", "requester_type")]
        outputs["cli digest --json"] = [json_text(digests)]
        if args.es_url:
            import uuid

            from search.backends.elasticsearch import ElasticsearchBackend
            from search.mappings import index_pattern
            from search.service import get_segmenter
            es = ElasticsearchBackend.from_url(args.es_url, f"suqiu-pii-audit-{uuid.uuid4().hex[:8]}",
                                               get_segmenter(app), timeout=30)
            try:
                index_pending(app, rebuild=True, backend=es)
                resp = es.client.search(index=index_pattern(es.prefix), size=10000, query={"match_all": {}})
                outputs["elasticsearch documents"] = [json_text([h["_source"] for h in resp["hits"]["hits"]])]
            finally:
                es.drop()
                es.close()
        app.store.close()

    print(f"Fuzhou export {args.export.name}: {imported.rows_read} rows, {imported.imported} imported; "
          f"text stage masked {analysis.get('pii_masked', {})}")
    print(f"mobile numbers in the source: {occurrences} occurrences, {len(numbers)} distinct; "
          f"{len(stored)} distinct in stored records ({len(holders)} demands: title, content or reply)")
    print(f"weekly report week: {week}; digest items: {sum(d['items'] for d in digests)}")
    print(f"{'output':<26}{'texts':>7}{'numbers left':>14}{'of the source':>15}")
    total_left: set[str] = set()
    for kind in sorted(outputs):
        left = {n for t in outputs[kind] for n in mobile_numbers(t)}
        total_left |= left
        print(f"{kind:<26}{len(outputs[kind]):>7}{len(left):>14}{len(left & numbers):>15}")
    print(f"numbers left in any output: {len(total_left)} ({len(total_left & numbers)} from the source); "
          f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
