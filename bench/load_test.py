"""Load test: 50 clients for 60 s against a real ``suqiu serve`` while an import and an analyze write.

    .venv/bin/python bench/load_test.py                        # 3,000 records, 50 clients, 60 s, writers on
    .venv/bin/python bench/load_test.py --no-writers           # the same load with nobody writing (baseline)
    .venv/bin/python bench/load_test.py --think 0              # clients without pauses (saturation)
    .venv/bin/python bench/load_test.py --records 5000 --clients 80 --seconds 120 --json
    .venv/bin/python bench/load_test.py --trace spans.jsonl    # then: bench/lock_trace.py --report spans.jsonl

A throw-away installation is seeded through the real commands (``suqiu import``, ``analyze``,
``route``, ``index``), with an office user, one user and one API token per department. Then
``suqiu serve`` runs on 127.0.0.1 and, for ``--seconds``, ``--clients`` asyncio clients (httpx)
do what people do: office users search, open demands and export results (logged in, with
sessions); departments read their demands and post replies through the API (tokens). Meanwhile
two writers run in processes of their own: ``suqiu import`` of a fresh export of ``--import-rows``
new demands, again and again, and ``suqiu analyze`` of whatever arrived. A probe fetches the
style sheet every 100 ms: a server whose event loop blocks shows there first.

Prints, per kind of request: count, errors, p50/p95/p99 and the longest; the longest stall of all;
how many requests took longer than ``--stall-limit`` (1 s); and what the writers did. A lock probe
takes SQLite's write lock every 50 ms and measures its wait: that is the stall a writer imposes on a
writing request, apart from the machine's CPU load (which ``--no-writers`` shows on its own); the
probes that waited over 0.5 s are listed with their wall-clock start, to be laid beside the spans
``--trace`` records (who held the lock meanwhile). Exits 1 when a request failed or the write lock
was held past the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from load_summary import print_summary, quantile, summary  # noqa: E402

from crawlers.synthetic import DEFAULT_START, generate  # noqa: E402
from suqiu.installation import Installation, write_default_config  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["工单编号", "来电时间", "诉求标题", "诉求内容", "区域", "承办部门", "办理状态"]
TERMS = ["噪音", "停水", "物业", "拖欠工资", "垃圾", "停车", "路灯", "施工", "油烟", "学位", "公交", "积水"]
PASSWORD = "load-test-pass-1"
OFFICE_USERS = 30   # one account per person (one account signing in many times at once meets its own throttle)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# --------------------------------------------------------------------------- the installation
def write_export(path: Path, n: int, seed: int, start: date) -> None:
    """A 12345 export of ``n`` demands received from ``start`` on (new ids for a new start)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for item in generate(n, seed=seed, start=start, sources=["hotline"], bad_rate=0.0, dup_rate=0.0):
            w.writerow([item["source_id"], f"{item['received_at']:%Y-%m-%d %H:%M:%S}", item.get("title") or "",
                        item["content"], item.get("district") or "", item.get("department_given") or "", "已受理"])


def command(args: tuple[str, ...] | list[str], trace: Path | None = None) -> list[str]:
    """``suqiu ARGS`` in a new interpreter; with ``trace``, under bench/lock_trace.py (write-lock spans)."""
    if trace is None:
        return [sys.executable, "-m", "suqiu.cli", *args]
    return [sys.executable, str(ROOT / "bench" / "lock_trace.py"), str(trace), "--", *args]


def suqiu(home: Path, *args: str, check: bool = True, trace: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUQIU_HOME": str(home), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(command(args, trace), env=env, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise SystemExit(f"suqiu {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return out


def prepare(home: Path, records: int) -> dict[str, Any]:
    """Seed through the real commands; users and tokens for the clients."""
    from suqiu.twoway.accounts import add_user
    from suqiu.twoway.tokens import create_token
    write_default_config(home)
    export = home / "seed.csv"
    write_export(export, records, seed=18, start=DEFAULT_START)
    t0 = time.perf_counter()
    for step in (["import", str(export)], ["analyze"], ["route"], ["index"]):
        suqiu(home, *step)
    seeded_s = time.perf_counter() - t0
    inst = Installation.load(home)
    for i in range(OFFICE_USERS):   # each person in the office signs in as themselves
        add_user(inst.store, f"office{i}", PASSWORD, "office", config=inst.config)
    departments = [d.name for d in inst.config.departments]
    tokens, users = {}, {}
    for i, name in enumerate(departments):
        users[name] = f"dept{i}"
        add_user(inst.store, users[name], PASSWORD, "department", name, config=inst.config)
        tokens[name] = create_token(inst, name, "load test")[1]
    owned = {name: [] for name in departments}
    for rid, owner in inst.store.owners_of(inst.config, [r["id"] for r in inst.store.iter_records()]).items():
        if owner in owned:
            owned[owner].append(rid)
    ids = sorted(rid for v in owned.values() for rid in v)
    inst.store.close()
    return {"tokens": tokens, "users": users, "owned": owned, "ids": ids, "seeded_s": round(seeded_s, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, trace: Path | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SUQIU_HOME": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command(["serve", "--host", "127.0.0.1", "--port", str(port)], trace),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("suqiu serve did not answer in 30 s")


# --------------------------------------------------------------------------- the writers
@dataclass
class Writers:
    """An import loop and an analyze loop, each running the real command in its own process."""

    home: Path
    import_rows: int
    trace: Path | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    done: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    def _imports(self) -> None:
        k = 0
        while not self.stop.is_set():
            k += 1
            path = self.home / f"batch-{k}.csv"
            write_export(path, self.import_rows, seed=100 + k, start=DEFAULT_START - timedelta(weeks=10 * k))
            self._run("import", ["import", str(path)])

    def _analyses(self) -> None:
        while not self.stop.is_set():
            if not self._run("analyze", ["analyze", "--workers", "1"]):
                time.sleep(1)

    def _run(self, kind: str, args: list[str]) -> bool:
        t0 = time.perf_counter()
        out = suqiu(self.home, *args, check=False, trace=self.trace)
        if out.returncode != 0:
            self.failures.append(f"{kind}: {out.stderr[-500:]}")
            return False
        self.done[kind].append(time.perf_counter() - t0)
        return "没有新的" not in out.stderr

    def __enter__(self) -> "Writers":
        self.threads = [threading.Thread(target=f, daemon=True) for f in (self._imports, self._analyses)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


class LockProbe(threading.Thread):
    """How long a writer must wait for SQLite's write lock, measured apart from HTTP and CPU load:
    every 50 ms take the lock (BEGIN IMMEDIATE), note the wait, give it back at once."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.waits, self.stop = db, [], threading.Event()
        self.worst: list[tuple[float, float]] = []   # (wall-clock start, wait) of waits over 0.5 s

    def run(self) -> None:
        conn = sqlite3.connect(self.db, timeout=120, isolation_level=None)
        while not self.stop.is_set():
            t0, wall = time.perf_counter(), time.time()
            conn.execute("BEGIN IMMEDIATE")
            self.waits.append(time.perf_counter() - t0)
            if self.waits[-1] > 0.5:
                self.worst.append((round(wall, 2), round(self.waits[-1], 3)))
            conn.execute("ROLLBACK")
            self.stop.wait(0.05)
        conn.close()


# --------------------------------------------------------------------------- the clients
@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    started: float = field(default_factory=time.perf_counter)
    slow: list[tuple[float, str, float]] = field(default_factory=list)   # (seconds into the run, kind, latency)

    def note(self, kind: str, t0: float) -> None:
        took = time.perf_counter() - t0
        self.latencies[kind].append(took)
        if took > 1.0:
            self.slow.append((round(t0 - self.started, 1), kind, round(took, 2)))

    async def timed(self, kind: str, request: Any) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            resp = await request
        except httpx.HTTPError as exc:
            self.note(kind, t0)
            self.errors[kind].append(f"{type(exc).__name__}: {exc}")
            return None
        self.note(kind, t0)
        if resp.status_code != 200:
            self.errors[kind].append(f"HTTP {resp.status_code}: {resp.text[:200]}")
        return resp


async def web_client(base: str, username: str, department: str | None, seed: dict[str, Any], tally: Tally,
                     deadline: float, rng: random.Random, think: float) -> None:
    """A person in the office (or a department): logs in, searches, opens demands, exports.

    People arrive over the first ten seconds; fifty sign-ins in the same instant from one address
    (all clients here are 127.0.0.1) would meet the per-address throttle (HTTP 429) by design."""
    await asyncio.sleep(rng.uniform(0, 10))
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        page = await c.get("/login")
        token = CSRF_RE.search(page.text).group(1)
        login = await c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token,
                                             "next": "/search"})
        if login.status_code != 303:   # to the search page, with the session cookie
            tally.errors["login"].append(f"HTTP {login.status_code}")
            return
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.6:
                await tally.timed("search", c.get("/search", params={"q": rng.choice(TERMS), "page": rng.randint(1, 3)}))
            elif roll < 0.92:   # a department user opens its own demands (others' are 404 by design)
                ids = seed["ids"] if department is None else seed["owned"][department]
                await tally.timed("detail", c.get(f"/records/{rng.choice(ids)}"))
            else:
                await tally.timed("export", c.get("/search/export.xlsx", params={
                    "q": rng.choice(TERMS), "department": rng.choice(list(seed["owned"]))}))
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def api_client(base: str, department: str, seed: dict[str, Any], tally: Tally, deadline: float,
                     rng: random.Random, think: float, share: slice = slice(None)) -> None:
    """A department's system: reads its demands and answers each once with its token (a second
    final answer is refused by the work-order lifecycle, as it should be: not a server error).
    Two systems of one department answer disjoint ``share``s of its demands."""
    headers = {"authorization": f"Bearer {seed['tokens'][department]}"}
    mine = seed["owned"][department]
    unanswered = list(mine[share])
    rng.shuffle(unanswered)
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as c:
        while time.monotonic() < deadline:
            rid = rng.choice(mine)
            if rng.random() < 0.5 and unanswered:
                rid = unanswered.pop()
                await tally.timed("api_reply", c.post("/api/v1/replies", json={
                    "record_id": rid, "text": f"已受理，已安排工作人员现场核查处理（{rng.randint(1, 10**6)}）"}))
            else:
                await tally.timed("api_detail", c.get(f"/api/v1/demands/{rid}"))
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def probe(base: str, tally: Tally, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        while time.monotonic() < deadline:
            await tally.timed("static_probe", c.get("/static/suqiu.css"))
            await asyncio.sleep(0.1)


async def load(base: str, seed: dict[str, Any], clients: int, seconds: float, think: float) -> Tally:
    tally, deadline = Tally(), time.monotonic() + seconds
    departments = list(seed["owned"])
    tasks = [probe(base, tally, deadline)]
    api = [i for i in range(clients) if i % 5 == 4]   # one client in five is a department's system on the API
    systems = Counter(departments[i % len(departments)] for i in api)
    slot: Counter[str] = Counter()
    for i in range(clients):
        rng = random.Random(i)
        dept = departments[i % len(departments)]
        if i in api:
            share = slice(slot[dept], None, systems[dept])
            slot[dept] += 1
            tasks.append(api_client(base, dept, seed, tally, deadline, rng, think, share))
        else:             # the others people on the pages: the office, and departments on their own
            office = i % 5 in (0, 1, 2)
            user = f"office{i % OFFICE_USERS}" if office else seed["users"][dept]
            tasks.append(web_client(base, user, None if office else dept, seed, tally, deadline, rng, think))
    await asyncio.gather(*tasks)
    return tally


# --------------------------------------------------------------------------- the report
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=3000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, default=0.5, help="mean pause between a client's requests (s)")
    ap.add_argument("--import-rows", type=int, default=2000)
    ap.add_argument("--no-writers", action="store_true")
    ap.add_argument("--stall-limit", type=float, default=1.0)
    ap.add_argument("--home", type=Path, help="work here (default: a temporary directory)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--trace", type=Path, help="run the writers and the server under bench/lock_trace.py, "
                    "appending their write-lock spans to this file (then: lock_trace.py --report FILE)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="suqiu-load-") as tmp:
        home = args.home or Path(tmp)
        seed = prepare(home, args.records)
        print(f"seeded {len(seed['ids'])} routed demands in {seed['seeded_s']} s", file=sys.stderr)
        port = free_port()
        server = start_server(home, port, args.trace)
        writers = None if args.no_writers else Writers(home, args.import_rows, args.trace)
        lock = LockProbe(home / "data" / "suqiu.db")
        lock.start()
        try:
            if writers:
                writers.__enter__()
                time.sleep(2)  # the first import is under way before the clients start
            try:
                tally = asyncio.run(load(f"http://127.0.0.1:{port}", seed, args.clients, args.seconds, args.think))
            finally:
                if writers:
                    writers.__exit__(None)
        finally:
            lock.stop.set()
            lock.join()
            server.terminate()
            server.wait(timeout=30)
    s = summary(tally, writers, args.stall_limit, args.seconds)
    waits = lock.waits
    s["write_lock_wait"] = {"probes": len(waits), "p50_ms": round(1000 * quantile(waits, 0.5), 1),
                            "p99_ms": round(1000 * quantile(waits, 0.99)), "max_ms": round(1000 * max(waits, default=0)),
                            "over_limit": sum(1 for w in waits if w > args.stall_limit),
                            "over_half_s": lock.worst}
    s.update(clients=args.clients, seconds=args.seconds, think_s=args.think, records=args.records,
             load_average=os.getloadavg())
    print(json.dumps(s, ensure_ascii=False)) if args.json else print_summary(s)
    return 1 if s["errors"] or s["write_lock_wait"]["over_limit"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
