"""What the fault drills share: a seeded installation, the real CLI in a child process, a SIGKILL at
a moment the store shows the command is midway, and the invariants a re-run must restore."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from crawlers.synthetic.generator import generate, strip_truth
from suqiu.installation import Installation, write_default_config
from suqiu.model import Analysis, build_demand
from suqiu.store import Store, schema

ROOT = Path(__file__).resolve().parents[2]


def seed_home(home: Path, n: int, seed: int = 18, analysed: bool = False) -> Installation:
    """``n`` synthetic hotline demands; with ``analysed`` each gets a masked text and a department
    proposal at once (as the text and classify stages would leave them), to drill what comes after."""
    write_default_config(home)
    inst = Installation.load(home, environ={})
    demands = [build_demand(strip_truth(item)) for item in
               generate(n, seed=seed, sources=["hotline"], bad_rate=0.0, dup_rate=0.0)]
    inst.store.upsert(demands)
    if analysed:
        names = [d.name for d in inst.config.departments]
        inst.store.save_analysis(
            [Analysis(record_id=d.id, normalized_text=d.text, masked_title=d.title, masked_text=d.content,
                      tokens=list(d.content[:20]), keywords=[], department=names[i % len(names)],
                      route_reason="rule", route_confidence=0.9, urgency_level="low",
                      publication="internal", sensitivity="normal")
             for i, d in enumerate(demands)], stage="analyze")
    return inst


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUQIU_")}
    return {**env, "SUQIU_HOME": str(home), "PYTHONPATH": str(ROOT), "COLUMNS": "200", **extra}


def cli(home: Path, *args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    """The real ``suqiu`` command on this installation, to its end."""
    return subprocess.run([sys.executable, "-m", "suqiu.cli", *args], capture_output=True, text=True,
                          env=child_env(home, **env), timeout=timeout)


@dataclass
class Killed:
    pid: int
    seconds: float          # from start to the kill
    at_marker: Any          # what the marker saw when it fired


def kill_midway(home: Path, args: list[str], midway: Callable[[], Any], timeout: float = 300,
                **env: str) -> Killed:
    """Start ``suqiu ARGS``, SIGKILL it as soon as ``midway()`` returns something true.

    Only the command's own process is killed (as the OOM killer or ``kill -9`` would); helpers it
    started are then reaped by killing its process group, so nothing outlives the drill."""
    proc = subprocess.Popen([sys.executable, "-m", "suqiu.cli", *args], env=child_env(home, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    t0, seen = time.monotonic(), None
    try:
        while proc.poll() is None and time.monotonic() - t0 < timeout:
            seen = midway()
            if seen:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        else:
            err = proc.stderr.read() if proc.poll() is not None else ""
            raise AssertionError(f"`suqiu {' '.join(args)}` was not caught midway (exit {proc.poll()}): {err[-2000:]}")
        proc.wait(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"the child ended by itself ({proc.returncode})"
    return Killed(proc.pid, time.monotonic() - t0, seen)


def count(url: str, table: Any, *where: Any) -> int:
    """A count read by a connection of its own (the drill's view of the store while the child writes)."""
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())
    finally:
        store.close()


def runs_of(url: str, kind: str) -> list[dict[str, Any]]:
    store = Store(url)
    try:
        return [r for r in store.recent_runs(200) if r["kind"] == kind]
    finally:
        store.close()


def running_runs(url: str) -> list[dict[str, Any]]:
    """What ``suqiu status`` shows as running (it marks dead ones first)."""
    store = Store(url)
    try:
        return [r for r in store.status()["runs"] if r["status"] == "running"]
    finally:
        store.close()


def stage_done(url: str, stage: str) -> int:
    return count(url, schema.stage_state, schema.stage_state.c.stage == stage)


def act_midway(home: Path, args: list[str], midway: Callable[[], Any], action: Callable[[], None],
               timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``suqiu ARGS`` to its end, doing ``action()`` once ``midway()`` is true (a server dies …)."""
    proc = subprocess.Popen([sys.executable, "-m", "suqiu.cli", *args], env=child_env(home, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0, acted = time.monotonic(), False
    while proc.poll() is None and time.monotonic() - t0 < timeout:
        if not acted and midway():
            action()
            acted = True
        time.sleep(0.02)
    out, err = proc.communicate(timeout=timeout)
    assert acted, f"`suqiu {' '.join(args)}` was not caught midway (exit {proc.returncode}): {err[-2000:]}"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
