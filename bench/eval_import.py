"""Import figures for the real exports in ../shared/datasets: rows, imported, quarantined by reason, time.

Each file is imported into a fresh temporary installation, then imported again (a second run
must add nothing), and for the Fuzhou export the XLSX is also imported after the CSV (the same
demands: nothing new). Run: ``.venv/bin/python bench/eval_import.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"

CASES = [
    ("fuzhou12345/hotline_export.csv", None),
    ("fuzhou12345/hotline_export.xlsx", None),
    ("fuzhou12345/portal_messages.csv", None),
    ("teddy2020c/messages_unlabeled.csv", None),
    ("teddy2020c/messages_with_votes.csv", None),
    ("teddy2020c/messages_with_replies.csv", None),
]


def _one(rel: str, profile: str | None) -> dict:
    from crawlers.importers.run import import_file
    from suqiu.installation import Installation, write_default_config
    with tempfile.TemporaryDirectory(prefix="suqiu-bench-") as tmp:
        home = Path(tmp)
        write_default_config(home)
        app = Installation.load(home, environ={})
        path = SHARED / rel
        first = import_file(app.store, app.config, path, profile)
        second = import_file(app.store, app.config, path, profile)
        row = {
            "file": rel, "profile": first.profile, "rows_read": first.rows_read, "imported": first.imported,
            "quarantined": first.quarantined, "by_reason": dict(first.quarantined_by_reason),
            "seconds": round(first.seconds, 2), "rows_per_s": round(first.rows_read / first.seconds) if first.seconds else None,
            "balanced": first.balanced,
            "second_run": {"new": second.new, "updated": second.updated, "unchanged": second.unchanged,
                           "quarantined": second.quarantined, "seconds": round(second.seconds, 2)},
        }
        if rel.endswith("hotline_export.csv"):
            x = import_file(app.store, app.config, SHARED / "fuzhou12345/hotline_export.xlsx")
            row["xlsx_after_csv"] = {"new": x.new, "updated": x.updated, "unchanged": x.unchanged,
                                     "quarantined": x.quarantined}
        app.store.close()
        return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"跳过：没有共享数据集目录 {SHARED}（评测需要 ../shared/datasets）", file=sys.stderr)
        return 0
    sys.path.insert(0, str(ROOT))
    rows = [_one(rel, profile) for rel, profile in CASES if (SHARED / rel).exists()]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"imports": rows, "peak_rss_mb": round(peak_mb)}, ensure_ascii=False))
        return 0
    print(f"{'file':40} {'profile':22} {'rows':>6} {'imp':>6} {'quar':>5} {'s':>6} {'rows/s':>7}  2nd run new/upd/unch  quarantined by reason")
    for r in rows:
        s = r["second_run"]
        print(f"{r['file']:40} {r['profile']:22} {r['rows_read']:6} {r['imported']:6} {r['quarantined']:5} "
              f"{r['seconds']:6.2f} {r['rows_per_s'] or 0:7}  {s['new']}/{s['updated']}/{s['unchanged']:<14} {r['by_reason']}")
        if "xlsx_after_csv" in r:
            print(f"{'  then hotline_export.xlsx':40} new/upd/unch/quar = {r['xlsx_after_csv']}")
    print(f"peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
