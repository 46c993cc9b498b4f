"""Quarantine (rejected input kept with its reason), run records, counts, and what crawls remember."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import func, select, update

from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import local_times, now_local, to_db_time


class RunsMixin(StoreBase):
    """Quarantine, runs and the status summary."""

    def quarantine(self, source: str, reason: str, payload: Any, source_ref: str | None = None,
                   field: str | None = None, run_id: str | None = None) -> bool:
        """Keep rejected input with its reason; the same payload and reason is kept once."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
        digest = hashlib.sha256(f"{source_ref or ''}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()
        q = schema.quarantine
        with self.begin() as conn:
            exists = conn.execute(select(q.c.id).where(q.c.source == source, q.c.payload_hash == digest,
                                                       q.c.reason == reason)).first()
            if exists:
                return False
            conn.execute(q.insert().values(source=source, source_ref=source_ref, field=field, reason=reason,
                                           payload=text, payload_hash=digest, run_id=run_id,
                                           at=to_db_time(now_local())))
        return True

    def quarantined(self, source: str | None = None) -> list[dict[str, Any]]:
        q = select(schema.quarantine).order_by(schema.quarantine.c.id)
        if source:
            q = q.where(schema.quarantine.c.source == source)
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def start_run(self, kind: str, source: str | None = None) -> str:
        run_id = f"{kind}-{now_local():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        with self.begin() as conn:
            conn.execute(schema.runs.insert().values(id=run_id, kind=kind, source=source, status="running",
                                                     started_at=to_db_time(now_local()), stats={}))
        return run_id

    def finish_run(self, run_id: str, stats: dict[str, Any], error: str | None = None) -> None:
        with self.begin() as conn:
            conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(
                finished_at=to_db_time(now_local()), stats=stats, error=error,
                status="failed" if error else "ok"))

    def recent_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.runs).order_by(schema.runs.c.started_at.desc()).limit(limit)).mappings()
            return [local_times(dict(r)) for r in rows]

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        rec, an = schema.records, schema.analysis
        with self.engine.connect() as conn:
            by_source = {s: int(n) for s, n in conn.execute(
                select(rec.c.source, func.count()).group_by(rec.c.source))}
            by_status = {s: int(n) for s, n in conn.execute(
                select(rec.c.status, func.count()).group_by(rec.c.status))}
            stages = {s: int(n) for s, n in conn.execute(
                select(schema.stage_state.c.stage, func.count()).group_by(schema.stage_state.c.stage))}
            analyzed = int(conn.execute(select(func.count()).select_from(an)
                                        .where(an.c.normalized_text.is_not(None))).scalar_one())
            triage = int(conn.execute(select(func.count()).select_from(schema.routes)
                                      .where(schema.routes.c.queue == "triage")).scalar_one())
            quarantined = int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())
        total = sum(by_source.values())
        return {
            "records": {"total": total, "by_source": by_source, "by_status": by_status},
            "quarantined": quarantined,
            "analyzed": analyzed,
            "indexed": stages.get("index", 0),
            "routed": sum(n for st, n in by_status.items() if st not in ("received", "returned")),
            "triage": triage,
            "replied": sum(by_status.get(st, 0) for st in ANSWERED_STATUSES),
            "stages": stages,
            "runs": [
                {"id": r["id"], "kind": r["kind"], "source": r["source"], "status": r["status"],
                 "started_at": r["started_at"].isoformat() if r["started_at"] else None,
                 "stats": r["stats"]}
                for r in self.recent_runs(10)
            ],
        }


    # ------------------------------------------------------------------ crawls
    def crawl_memory(self, source: str, id_prefix: str = "") -> tuple[dict[str, str], list[str]]:
        """Stored ids of one site (by id prefix) with their status, and the URLs of open demands."""
        rec = schema.records
        q = select(rec.c.source_id, rec.c.status, rec.c.url).where(rec.c.source == source)
        if id_prefix:
            q = q.where(rec.c.source_id.startswith(id_prefix, autoescape=True))
        known: dict[str, str] = {}
        open_urls: list[str] = []
        with self.engine.connect() as conn:
            for sid, status, url in conn.execute(q):
                known[sid] = status
                if status in OPEN_STATUSES and url:
                    open_urls.append(url)
        return known, open_urls

    def last_cursor(self, source_name: str) -> str | None:
        """The cursor the newest successful crawl of this source recorded in its run stats."""
        runs = schema.runs
        q = (select(runs.c.stats).where(runs.c.kind == "crawl", runs.c.source == source_name,
                                        runs.c.status == "ok")
             .order_by(runs.c.started_at.desc()).limit(20))
        with self.engine.connect() as conn:
            for (stats,) in conn.execute(q):
                cursor: Any = (stats or {}).get("cursor")
                if cursor:
                    return str(cursor)
        return None
