"""Does the traditional → simplified gate still pay? The normalizer's speed on real citizen texts.

    .venv/bin/python bench/bench_normalize.py [--limit 20000] [--repeat 5]

Texts: the Teddy Cup 2020 citizen messages (../shared/datasets/teddy2020c) when present, else
synthesized ones (with a few traditional characters). Prints, for the OpenCC installed in this
environment (the official ``opencc`` wheels, or the pure-Python ``opencc-python-reimplemented``
of earlier releases, which share the ``opencc`` module name):
  1. ``nlp.normalize.Normalizer()`` as shipped;
  2. OpenCC's t2s conversion of every text, ungated;
  3. the same behind a gate (convert only texts holding a character t2s changes; the set of such
     characters is found by converting each CJK character once), with the gate's own scan cost;
  4. how many texts the gate lets through, and how many texts without any traditional character
     ungated t2s still rewrites (its phrase table reads them as traditional: 打坏 → 打坯).
Each figure is the best of ``--repeat`` runs; the load average is printed (the machine is shared).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.normalize import Normalizer  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c"
CJK = [chr(c) for c in range(0x4E00, 0xA000)] + [chr(c) for c in range(0x3400, 0x4DC0)]


def load_texts(limit: int) -> tuple[list[str], str]:
    texts: list[str] = []
    if SHARED.is_dir():
        for name in ("messages_with_votes.csv", "messages_unlabeled.csv", "messages_with_replies.csv"):
            with open(SHARED / name, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    texts.append(f"{row.get('留言主题') or ''}\n{row.get('留言详情') or ''}")
                    if len(texts) >= limit:
                        return texts, "teddy2020c"
        return texts, "teddy2020c"
    rng = random.Random(7)
    parts = ["小区物业乱收费", "楼下烧烤油烟扰民", "公司拖欠工资三个月", "道路積水嚴重", "学校周边交通拥堵"]
    return ["，".join(rng.choices(parts, k=30)) for _ in range(limit)], "synthetic"


def converter() -> tuple[Callable[[str], str], str]:
    """OpenCC's t2s as installed: the official wheels take ``t2s.json``, the reimplementation ``t2s``."""
    import opencc
    version = getattr(opencc, "__version__", None)
    if version:
        return opencc.OpenCC("t2s.json").convert, f"opencc {version} (official, C++)"
    return opencc.OpenCC("t2s").convert, "opencc-python-reimplemented (pure Python)"


def best(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    texts, origin = load_texts(args.limit)
    chars = sum(map(len, texts))
    convert, backend = converter()
    t0 = time.perf_counter()
    triggers = frozenset(c for c in CJK if convert(c) != c)
    probe_s = time.perf_counter() - t0
    normalize = Normalizer()
    normalize("預熱 warm-up")
    through = sum(1 for t in texts if not triggers.isdisjoint(t))
    rewritten = [t for t in texts if triggers.isdisjoint(t) and convert(t) != t]
    figures = {
        "normalizer as shipped": best(lambda: [normalize(t) for t in texts], args.repeat),
        "t2s ungated": best(lambda: [convert(t) for t in texts], args.repeat),
        "t2s gated": best(lambda: [convert(t) if not triggers.isdisjoint(t) else t for t in texts], args.repeat),
        "gate scan alone": best(lambda: [triggers.isdisjoint(t) for t in texts], args.repeat),
    }
    print(f"texts: {len(texts)} from {origin}, {chars} characters; backend: {backend}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"gate: {len(triggers)} characters t2s changes (found in {probe_s:.2f} s); "
          f"{through} of {len(texts)} texts ({through / len(texts):.1%}) hold one")
    print(f"texts without a traditional character that ungated t2s rewrites: {len(rewritten)}")
    for t in rewritten[:3]:
        i = next(i for i, (a, b) in enumerate(zip(t, convert(t))) if a != b)
        print(f"  {t[max(0, i - 6):i + 6]!r} → {convert(t)[max(0, i - 6):i + 6]!r}")
    for name, seconds in figures.items():
        print(f"{name:24} {seconds:8.3f} s  {chars / seconds / 1e6:8.2f} M chars/s")


if __name__ == "__main__":
    main()
