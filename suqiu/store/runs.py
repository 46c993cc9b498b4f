"""Quarantine (rejected input kept with its reason), run records, counts, and what crawls remember."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from suqiu.model import ANSWERED_STATUSES, OPEN_STATUSES, SHANGHAI
from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import from_db_time, local_times, now_local, to_db_time

RUN_STALE_AFTER = timedelta(hours=1)    # another host's run without a heartbeat this long has died


def dead_here(host: str | None, pid: int | None, since: datetime | None) -> bool:
    """True when the process ran on this host and is gone (or a zombie, or its pid reused since ``since``)."""
    if host != socket.gethostname() or pid is None:
        return False
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # the name may hold ") "
        boot = next(float(x[6:]) for x in Path("/proc/stat").read_text().splitlines() if x.startswith("btime "))
    except ProcessLookupError:
        return True
    except (OSError, StopIteration, IndexError):  # another user's process (alive), or no /proc to ask
        return False
    started = datetime.fromtimestamp(boot + int(stat[19]) / os.sysconf("SC_CLK_TCK"), SHANGHAI)
    return stat[0] in "ZX" or (since is not None and started > since + timedelta(seconds=5))


def _why_dead(row: Any, now: datetime) -> str | None:
    """Why a ``running`` run is not running any more, or None while it may be."""
    if row.host == socket.gethostname():
        dead = dead_here(row.host, row.pid, from_db_time(row.started_at))
        return f"进程 {row.pid}（主机 {row.host}）已结束" if dead else None
    since = from_db_time(row.heartbeat_at or row.started_at)
    if now - since <= RUN_STALE_AFTER:
        return None
    return f"{row.host or '未记录的主机'} 上的进程 {row.pid} 自 {since:%Y-%m-%d %H:%M} 起没有心跳"


class RunsMixin(StoreBase):
    """Quarantine, runs and the status summary."""

    def quarantine(self, source: str, reason: str, payload: Any, source_ref: str | None = None,
                   field: str | None = None, run_id: str | None = None) -> bool:
        """Keep rejected input with its reason; the same payload and reason is kept once (the
        unique constraint decides, so two workers quarantining one row keep one); True when new."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
        digest = hashlib.sha256(f"{source_ref or ''}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()
        q = schema.quarantine
        stmt = self.insert(q).values(source=source, source_ref=source_ref, field=field, reason=reason, payload=text,
                                     payload_hash=digest, run_id=run_id, at=to_db_time(now_local()))
        with self.begin() as conn:
            kept = conn.execute(stmt.on_conflict_do_nothing(index_elements=["source", "payload_hash", "reason"])
                                .returning(q.c.id)).first()
        return kept is not None

    def quarantined(self, source: str | None = None) -> list[dict[str, Any]]:
        q = select(schema.quarantine).order_by(schema.quarantine.c.id)
        if source:
            q = q.where(schema.quarantine.c.source == source)
        with self.engine.connect() as conn:
            return [local_times(dict(r)) for r in conn.execute(q).mappings()]

    def start_run(self, kind: str, source: str | None = None) -> str:
        """Record a run of this process (host, pid); runs whose process died are marked first."""
        self.reap_interrupted()
        now = now_local()
        run_id = f"{kind}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        with self.begin() as conn:
            conn.execute(schema.runs.insert().values(id=run_id, kind=kind, source=source, status="running",
                                                     started_at=to_db_time(now), stats={}, host=socket.gethostname(),
                                                     pid=os.getpid(), heartbeat_at=to_db_time(now)))
        return run_id

    def heartbeat(self, run_id: str | None) -> None:
        """The run is still working: how another host tells it from a dead one (call it per batch)."""
        with self.begin() as conn:
            conn.execute(update(schema.runs).where(schema.runs.c.id == run_id)
                         .values(heartbeat_at=to_db_time(now_local())))

    def finish_run(self, run_id: str, stats: dict[str, Any], error: str | None = None) -> None:
        """The outcome (also over an ``interrupted`` mark: the run did end after all)."""
        with self.begin() as conn:
            conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(
                finished_at=to_db_time(now_local()), stats=stats, error=error,
                status="failed" if error else "ok"))

    def last_ok_start(self, kind: str) -> datetime | None:
        """When the latest run of ``kind`` that ended well started (local time), or None."""
        r = schema.runs
        with self.engine.connect() as conn:
            at = conn.execute(select(func.max(r.c.started_at)).where(r.c.kind == kind, r.c.status == "ok")).scalar_one()
        return from_db_time(at)

    def reap_interrupted(self) -> None:
        """Mark ``running`` runs whose process is gone as failed (``interrupted``): on this host by pid,
        on another (or when recorded before pids were) after ``RUN_STALE_AFTER`` without a heartbeat."""
        now, r = now_local(), schema.runs
        with self.engine.connect() as conn:
            rows = conn.execute(select(r).where(r.c.status == "running")).all()
        for row in rows:
            if (reason := _why_dead(row, now)) is not None:
                with self.begin() as conn:
                    conn.execute(update(r).where(r.c.id == row.id, r.c.status == "running").values(
                        status="failed", finished_at=to_db_time(now), error=f"interrupted: {reason}，运行未完成"))

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
            "routed": sum(n for st, n in by_status.items() if st not in ("received", "returned")),
            "triage": triage,
            "replied": sum(by_status.get(st, 0) for st in ANSWERED_STATUSES),
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
