"""PII masking on the real Fuzhou 12345 export: mobile numbers found before masking, left after.

    .venv/bin/python bench/eval_pii.py [--pipeline]

1. Text level: every text cell (标题, 投诉件内容, 回复1) is normalized and masked with the project's
   ``PiiMasker``; mobile numbers (11 digits, 1[3-9] prefix, full-width digits folded) are counted
   in the raw cells and in the masked output.
2. ``--pipeline``: imports the export into a throw-away installation with ``suqiu import``, runs
   ``suqiu analyze``, and scans everything analysis emits (masked title and text, tokens,
   keywords, places) for mobile numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.normalize import Normalizer  # noqa: E402
from nlp.pii import MOBILE_RE, PiiMasker  # noqa: E402

EXPORT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fuzhou12345" / "hotline_export.csv"
COLUMNS = ("标题", "投诉件内容", "回复1")
# also numbers written with separators (138-1234-5678, 138 1234 5678)
LOOSE_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
FOLD = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})


def text_level() -> dict:
    norm, masker = Normalizer(), PiiMasker()
    before = after = cells = loose_before = loose_after = 0
    kinds: Counter[str] = Counter()
    leaked: list[str] = []
    with open(EXPORT, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for col in COLUMNS:
                raw = row.get(col) or ""
                if not raw:
                    continue
                cells += 1
                before += len(MOBILE_RE.findall(raw.translate(FOLD)))
                loose_before += len(LOOSE_MOBILE_RE.findall(raw.translate(FOLD)))
                masked, spans = masker.mask_spans(norm(raw))
                loose_after += len(LOOSE_MOBILE_RE.findall(masked))
                kinds.update(s.kind for s in spans)
                left = MOBILE_RE.findall(masked)
                after += len(left)
                leaked += left
    return {"cells": cells, "mobile_before": before, "mobile_after": after,
            "mobile_incl_separated_before": loose_before, "mobile_incl_separated_after": loose_after,
            "masked_by_kind": dict(sorted(kinds.items())), "leaked_examples": len(leaked)}


def pipeline() -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SUQIU_HOME": home}
        exe = str(Path(sys.executable).parent / "suqiu")
        subprocess.run([exe, "init"], env=env, check=True, capture_output=True)
        imp = subprocess.run([exe, "import", str(EXPORT), "--json"], env=env, check=True, capture_output=True, text=True)
        ana = subprocess.run([exe, "analyze", "--json"], env=env, check=True, capture_output=True, text=True)
        import sqlite3
        db = sqlite3.connect(Path(home) / "data" / "suqiu.db")
        raw_before = sum(len(MOBILE_RE.findall((t or "").translate(FOLD)))
                         for (t,) in db.execute("select title || ' ' || content from records"))
        emitted = 0
        for row in db.execute("select masked_title, masked_text, tokens, keywords, places from analysis"):
            emitted += sum(len(MOBILE_RE.findall(v or "")) for v in row)
        db.close()
    return {"import": json.loads(imp.stdout.strip().splitlines()[-1]).get("imported"),
            "analyzed": json.loads(ana.stdout.strip().splitlines()[-1]).get("analyzed"),
            "mobile_in_stored_records": raw_before, "mobile_in_analysis_output": emitted}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipeline", action="store_true", help="also import and analyze in a temporary installation")
    args = ap.parse_args()
    if not EXPORT.exists():
        sys.exit(f"absent: {EXPORT}")
    result = {"text_level": text_level()}
    if args.pipeline:
        result["pipeline"] = pipeline()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
