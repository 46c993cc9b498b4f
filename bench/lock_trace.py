"""Which transactions hold SQLite's write lock, and for how long: run a ``suqiu`` command traced.

    .venv/bin/python bench/lock_trace.py trace.jsonl -- analyze --workers 1
    .venv/bin/python bench/lock_trace.py --report trace.jsonl          # the longest holders, by code path
    .venv/bin/python bench/lock_trace.py --report trace.jsonl --probes load.json   # beside a load test's slow probes

A write lock is held from a write transaction's BEGIN IMMEDIATE (``Store.begin``), or from the
first statement that writes in a deferred one, to its COMMIT or ROLLBACK. A single statement
without BEGIN (``Store.write_one``) holds it inside SQLite only: its time in the statement (the
wait for the lock and for the interpreter included) is recorded apart, as ``single``. Every such span longer
than ``--min-ms`` (default 10) is appended to the file as one JSON line: the process's command,
how long the lock was held, statements and rows written, and the code path (the project's
innermost frames outside the store's plumbing) where the transaction wrote first. The listeners
sit on SQLAlchemy's ``Engine`` class, so every engine the command makes is traced; nothing in the
project changes. ``bench/load_test.py --trace`` runs its writers and the server this way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from suqiu.store.engine import SINGLE  # noqa: E402

PLUMBING = ("suqiu/store/base.py", "suqiu/store/engine.py", "bench/lock_trace.py")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def code_path(depth: int = 4) -> str:
    """The innermost project frames (not SQLAlchemy's, not the store's plumbing), outermost first."""
    frames = []
    for f in reversed(traceback.extract_stack()):
        rel = os.path.relpath(f.filename, ROOT)
        if rel.startswith("..") or rel.startswith(".venv") or rel.endswith(PLUMBING):
            continue
        frames.append(f"{rel}:{f.lineno} {f.name}")
        if len(frames) == depth:
            break
    return " < ".join(frames)


class Tracer:
    """Spans of write-lock holding per connection, appended to ``log`` when longer than ``min_s``."""

    def __init__(self, log: Path, min_s: float, command: str) -> None:
        self.log, self.min_s, self.command = log, min_s, command
        self.open: dict[int, dict[str, Any]] = {}
        self.started: dict[int, float] = {}   # when each connection's statement began
        self.lock = threading.Lock()

    def install(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        event.listen(Engine, "before_cursor_execute", self.executing)
        event.listen(Engine, "after_cursor_execute", self.executed)
        event.listen(Engine, "commit", self.end)
        event.listen(Engine, "rollback", self.end)

    def executing(self, conn: Any, *_args: Any) -> None:
        self.started[id(conn)] = time.perf_counter()

    def executed(self, conn: Any, cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool) -> None:
        verb = statement.lstrip()[:16].upper()
        if conn.get_execution_options().get(SINGLE):   # autocommit: the lock held inside this statement only
            if verb.startswith(WRITES):
                self.open[id(conn)] = {"t0": self.started.pop(id(conn), time.perf_counter()), "path": code_path(),
                                       "statements": 1, "rows": max(cursor.rowcount, 0), "deferred": False,
                                       "single": True}
                self.end(conn)
            return
        span = self.open.get(id(conn))
        if span is None:   # the lock is held from here: BEGIN IMMEDIATE, or a deferred transaction's first write
            if not verb.startswith(("BEGIN IMMEDIATE", *WRITES)):
                return
            span = self.open[id(conn)] = {"t0": time.perf_counter(), "path": code_path(), "statements": 0,
                                          "rows": 0, "deferred": not verb.startswith("BEGIN")}
        if verb.startswith(WRITES):
            span["statements"] += 1
            span["rows"] += max(cursor.rowcount, 0)

    def end(self, conn: Any) -> None:
        span = self.open.pop(id(conn), None)
        if span is None:
            return
        held = time.perf_counter() - span.pop("t0")
        if held >= self.min_s and (span["statements"] or not span["deferred"]):   # BEGIN IMMEDIATE holds it, writing or not
            line = json.dumps({"pid": os.getpid(), "command": self.command, "held_ms": round(1000 * held, 1),
                               "at": round(time.time(), 2), **span}, ensure_ascii=False)
            with self.lock, self.log.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")


def report(log: Path, top: int) -> None:
    """The code paths that held the lock longest: spans, the longest, the total, rows per span."""
    spans = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    singles = [s for s in spans if s.get("single")]
    spans = [s for s in spans if not s.get("single")]
    by_path: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in spans:
        by_path[(s["command"], s["path"])].append(s)
    ranked = sorted(by_path.items(), key=lambda kv: -max(s["held_ms"] for s in kv[1]))
    print(f"{len(spans)} spans of the write lock in {log}")
    print(f"{'max ms':>8}{'sum ms':>9}{'spans':>6}{'max rows':>9}  command / code path")
    for (command, path), group in ranked[:top]:
        print(f"{max(s['held_ms'] for s in group):>8.0f}{sum(s['held_ms'] for s in group):>9.0f}{len(group):>6}"
              f"{max(s['rows'] for s in group):>9}  {command}\n{'':33}{path}")
    if singles:   # timed from Python: the lock wait and the interpreter's thread switches, not lock holding
        print(f"{len(singles)} single statements without BEGIN took over --min-ms in the statement (waiting for "
              f"the lock, then for the interpreter; the lock itself is held inside SQLite only), longest "
              f"{max(s['held_ms'] for s in singles):.0f} ms")


def beside_probes(log: Path, result: Path) -> None:
    """For each lock probe of a ``load_test.py --json`` result that waited over 0.5 s: who held the lock."""
    spans = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    spans = [s for s in spans if not s.get("single")]
    for s in spans:
        s["start"] = s["at"] - s["held_ms"] / 1000
    for wall, wait in json.loads(result.read_text(encoding="utf-8"))["write_lock_wait"]["over_half_s"]:
        holders = sorted((s for s in spans if s["at"] > wall and s["start"] < wall + wait), key=lambda s: s["start"])
        print(f"probe waited {wait:.2f} s; held meanwhile {sum(s['held_ms'] for s in holders):.0f} ms by:")
        for s in holders:
            print(f"   {s['start'] - wall:+.2f} s {s['held_ms']:6.0f} ms {s['rows']:6} rows  {s['command'][:12]:12} "
                  f"{s['path'].split(' < ')[0]} < … {s['path'].split(' < ')[-1]}")


def main() -> None:
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log", type=Path)
    ap.add_argument("--report", action="store_true", help="print the longest holders in LOG and stop")
    ap.add_argument("--probes", type=Path, help="with --report: a load_test.py --json result; who held the "
                    "lock while each of its slow probes waited")
    ap.add_argument("--min-ms", type=float, default=10)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if args.report:
        report(args.log, args.top)
        if args.probes:
            beside_probes(args.log, args.probes)
        return
    Tracer(args.log, args.min_ms / 1000, " ".join(command[:2])).install()
    from suqiu.cli import main as suqiu_main
    sys.argv = ["suqiu", *command]
    suqiu_main()


if __name__ == "__main__":
    main()
