"""Quarantine (rejected input kept with its reason), run records, counts, and what crawls remember."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from suqiu.model import OPEN_STATUSES
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import from_db_time, local_times, now_local, to_db_time
from suqiu.store.liveness import dead_here, this_host, this_pid

RUN_STALE_AFTER = timedelta(hours=1)    # another host's run silent this long has died
HEARTBEAT_EVERY = timedelta(seconds=30)


def storable(value: Any) -> Any:
    """Text, or JSON of text, that the database can hold: undecodable bytes (lone surrogates from a
    file read with ``surrogateescape``) become ``\\udcXX`` escapes instead of failing the write."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8") if not value.isascii() else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(v) for v in value]
    return value


def _why_dead(row: dict[str, Any], now: datetime) -> str | None:
    """Why a ``running`` run is no longer running, or None while it may be."""
    host, pid = row["host"], row["pid"]
    started = from_db_time(row["started_at"])
    if host and pid is not None:
        if host == this_host():
            if dead_here(host, pid, started):
                return f"interrupted: 进程 {pid}（主机 {host}）已结束，运行未完成"
            return None
        beat = from_db_time(row["heartbeat_at"]) or started
        if beat is not None and now - beat > RUN_STALE_AFTER:
            minutes = int((now - beat).total_seconds() // 60)
            return f"interrupted: 主机 {host} 上的进程 {pid} 已 {minutes} 分钟没有心跳，运行未完成"
        return None
    if started is not None and now - started > RUN_STALE_AFTER:
        return f"interrupted: 运行开始于 {started:%Y-%m-%d %H:%M}，没有进程记录且至今未结束"
    return None


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
        """Record a run of this process (pid, host); first mark runs whose process died as failed."""
        self.reap_interrupted()
        now = now_local()
        run_id = f"{kind}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        with self.begin() as conn:
            conn.execute(schema.runs.insert().values(id=run_id, kind=kind, source=source, status="running",
                                                     started_at=to_db_time(now), stats={}, host=this_host(),
                                                     pid=this_pid(), heartbeat_at=to_db_time(now)))
        self._heartbeats[run_id] = time.monotonic()
        return run_id

    def heartbeat(self, run_id: str | None, force: bool = False) -> None:
        """The run is still working (at most one write per ``HEARTBEAT_EVERY`` unless ``force``).

        Only another host needs it: on this host a run's liveness is its pid's."""
        if not run_id:
            return
        last = self._heartbeats.get(run_id)
        if not force and last is not None and time.monotonic() - last < HEARTBEAT_EVERY.total_seconds():
            return
        self._heartbeats[run_id] = time.monotonic()
        with self.begin() as conn:
            conn.execute(update(schema.runs).where(schema.runs.c.id == run_id)
                         .values(heartbeat_at=to_db_time(now_local())))

    def finish_run(self, run_id: str, stats: dict[str, Any], error: str | None = None) -> None:
        """The outcome; also over an ``interrupted`` mark, since the run did end after all."""
        self._heartbeats.pop(run_id, None)
        with self.begin() as conn:
            conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(
                finished_at=to_db_time(now_local()), stats=storable(stats), error=storable(error),
                status="failed" if error else "ok"))

    def reap_interrupted(self, now: datetime | None = None) -> list[str]:
        """Mark ``running`` runs whose process is gone as failed (``interrupted: …``); their ids.

        Dead means: the pid is gone from this host (or reused since), or, for another host, no
        heartbeat for ``RUN_STALE_AFTER``; a run recorded before pids were kept counts as dead
        once it is that old."""
        now = now or now_local()
        r = schema.runs
        with self.engine.connect() as conn:
            rows = conn.execute(select(r.c.id, r.c.host, r.c.pid, r.c.started_at, r.c.heartbeat_at)
                                .where(r.c.status == "running")).mappings().all()
        reaped = []
        for row in rows:
            reason = _why_dead(dict(row), now)
            if reason is None:
                continue
            with self.begin() as conn:
                n = conn.execute(update(r).where(r.c.id == row["id"], r.c.status == "running").values(
                    status="failed", finished_at=to_db_time(now), error=reason)).rowcount
            if n:
                reaped.append(row["id"])
        return reaped

    def recent_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.runs).order_by(schema.runs.c.started_at.desc()).limit(limit)).mappings()
            return [local_times(dict(r)) for r in rows]

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        self.reap_interrupted()
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
            "routed": by_status.get("routed", 0) + by_status.get("replied", 0) + by_status.get("closed", 0)
            + by_status.get("reopened", 0),
            "triage": triage,
            "replied": by_status.get("replied", 0) + by_status.get("closed", 0),
            "stages": stages,
            "runs": [
                {"id": r["id"], "kind": r["kind"], "source": r["source"], "status": r["status"],
                 "started_at": r["started_at"].isoformat() if r["started_at"] else None,
                 "stats": r["stats"], "error": r["error"], "pid": r["pid"], "host": r["host"]}
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
