"""What ``bench/load_test.py`` prints and writes: latency per kind of request, errors, slow requests
by when they started, the write-lock probe's waits and what the writers did."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from typing import Any


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def summary(tally: Any, writers: Any | None, limit: float, seconds: float) -> dict[str, Any]:
    """``tally``: the load test's ``Tally``; ``writers``: its ``Writers`` (None with ``--no-writers``)."""
    kinds = {}
    for kind, values in sorted(tally.latencies.items()):
        kinds[kind] = {"requests": len(values), "errors": len(tally.errors.get(kind, [])),
                       "p50_ms": round(1000 * statistics.median(values)), "p95_ms": round(1000 * quantile(values, 0.95)),
                       "p99_ms": round(1000 * quantile(values, 0.99)), "max_ms": round(1000 * max(values)),
                       "over_limit": sum(1 for v in values if v > limit)}
    every = [v for values in tally.latencies.values() for v in values]
    return {
        "requests": len(every), "requests_per_s": round(len(every) / seconds, 1),
        "errors": sum(len(e) for e in tally.errors.values()),
        "longest_stall_ms": round(1000 * max(every, default=0)),
        "over_limit": sum(1 for v in every if v > limit), "limit_s": limit, "kinds": kinds,
        "error_samples": {k: v[:3] for k, v in tally.errors.items() if v},
        "slow_by_10s": {f"{10 * b}-{10 * b + 10}s": n for b, n in sorted(
            Counter(int(t // 10) for t, _k, _l in tally.slow).items())},
        "writers": None if writers is None else {
            kind: {"runs": len(ts), "mean_s": round(statistics.mean(ts), 1)} for kind, ts in writers.done.items()}
        | {"failures": writers.failures[:5]},
    }


def print_summary(s: dict[str, Any]) -> None:
    print(f"{'kind':14}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'>limit':>8}")
    for kind, k in s["kinds"].items():
        print(f"{kind:14}{k['requests']:>10}{k['errors']:>8}{k['p50_ms']:>9}{k['p95_ms']:>9}{k['p99_ms']:>9}"
              f"{k['max_ms']:>9}{k['over_limit']:>8}")
    print(f"total {s['requests']} requests ({s['requests_per_s']}/s), errors {s['errors']}, longest stall "
          f"{s['longest_stall_ms']} ms, {s['over_limit']} over {s['limit_s']} s")
    print("requests over 1 s, by when they started:", s["slow_by_10s"])
    w = s["write_lock_wait"]
    print(f"write lock (what a writer makes a writing request wait): p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms, "
          f"max {w['max_ms']} ms over {w['probes']} probes, {w['over_limit']} over {s['limit_s']} s, "
          f"{len(w['over_half_s'])} over 0.5 s")
    print("load average (1, 5, 15 min):", " ".join(f"{x:.1f}" for x in s["load_average"]))
    if s["writers"]:
        print("writers:", json.dumps(s["writers"], ensure_ascii=False))
    for kind, samples in s["error_samples"].items():
        print(f"  errors in {kind}: {samples}")
