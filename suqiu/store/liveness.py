"""Is the process that opened a run or holds a lease still alive? (runs.py and locks.py ask.)

A run and a lease record the ``host`` and ``pid`` of their process. On the same host the answer
is exact: the pid is gone, a zombie, or now belongs to a process that started after the run or
lease was recorded (the pid was reused), so the holder is dead. Another host's processes cannot
be seen from here; for them the caller falls back on time (a stale heartbeat, an expired lease).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from suqiu.model import SHANGHAI

# a process that started this long after the record was written cannot have written it
_START_SLACK = timedelta(seconds=5)


def this_host() -> str:
    return socket.gethostname()


def this_pid() -> int:
    return os.getpid()


@cache
def _boot_time() -> float | None:
    """Seconds since the epoch at boot (Linux ``/proc/stat``), None where there is no /proc."""
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _proc_stat(pid: int) -> tuple[str, datetime | None] | None:
    """State letter and start time of ``pid`` from ``/proc``; None when /proc has no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return "?", None
    fields = raw.rsplit(")", 1)[-1].split()   # the command name may hold spaces and brackets
    state, started = fields[0], None
    boot = _boot_time()
    if boot is not None and len(fields) > 19:
        ticks = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        started = datetime.fromtimestamp(boot + ticks, SHANGHAI)
    return state, started


def local_process_alive(pid: int, since: datetime | None = None) -> bool:
    """Whether ``pid`` on this host is a live process that may have existed at ``since``."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    stat = _proc_stat(pid)
    if stat is None:
        return not Path("/proc/self").exists()  # without /proc the signal's answer is all there is
    state, started = stat
    if state in ("Z", "X"):
        return False
    if since is not None and started is not None and started > since + _START_SLACK:
        return False
    return True


def dead_here(host: str | None, pid: int | None, since: datetime | None) -> bool:
    """True when the process was on this host and is gone; False when alive or not ours to judge."""
    if not host or pid is None or host != this_host():
        return False
    return not local_process_alive(int(pid), since)
