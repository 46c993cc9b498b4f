"""Near-duplicates in the benchmark corpus, as the project's own dedup sees them.

    .venv/bin/python bench/eval_corpus.py [--n 20000] [--seed 1] [--mode grammar|teddy] [--threshold 0.6]

Generates ``--n`` work orders (``crawlers.corpus``) and feeds each, in order, through the text
stage's path to a signature (normalize → mask PII → drop tags → MinHash) into one ``DupIndex``.
A record the index groups with an earlier one is "flagged". Against the generator's truth:
a flagged resubmission is found (recall); a flagged first-time record matched no group mate and
is a false group (the share that must be tiny). Also the exact-distinct share of title + content
and the sizes of the groups found. The teddy mode reads ../shared/datasets/teddy2020c.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawlers.corpus import iter_corpus, load_sentences  # noqa: E402
from crawlers.corpus.generator import shipped_config  # noqa: E402
from nlp.dedup import DupIndex, MinHasher  # noqa: E402
from nlp.normalize import Normalizer  # noqa: E402
from nlp.pii import PiiMasker, strip_tags  # noqa: E402
from nlp.text_pipeline import join_title  # noqa: E402

TEDDY = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", choices=("grammar", "teddy"), default="grammar")
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--datasets", type=Path, default=TEDDY, help="the teddy2020c directory")
    args = ap.parse_args()
    config = shipped_config()
    bank = None
    if args.mode == "teddy":
        if not args.datasets.is_dir():
            sys.exit(f"跳过：没有共享数据集目录 {args.datasets}（teddy 模式需要 ../shared/datasets）")
        bank = load_sentences(args.datasets, config)
    started = time.perf_counter()
    pairs = list(iter_corpus(args.n, args.seed, config=config, sentences=bank))
    generated = time.perf_counter() - started
    norm, mask, hasher = Normalizer(), PiiMasker(), MinHasher()
    index = DupIndex(hasher, threshold=args.threshold)
    truth = {r["source_id"]: t for r, t in pairs}
    flagged = found = false = 0
    false_examples = []
    for record, t in pairs:
        text = join_title(record["title"], record["content"])
        result = index.add(record["source_id"], hasher.signature(strip_tags(mask(norm(text)))))
        if not result.matched:
            continue
        flagged += 1
        mates = [m for m in result.matched if t.group is not None and truth[m].group == t.group]
        if mates and t.is_copy:
            found += 1
        elif not mates:
            false += 1
            if len(false_examples) < 3:
                false_examples.append((text[:60], result.matched[0]))
    n = len(pairs)
    copies = sum(t.is_copy for _, t in pairs)
    fresh = n - copies
    distinct = len({(r["title"], r["content"]) for r, _ in pairs})
    sizes = Counter(len(m) for m in index.members.values() if len(m) > 1)
    true_sizes = Counter(Counter(t.group for _, t in pairs if t.group).values())
    print(f"{args.mode}: {n} records in {generated:.1f} s ({n / generated:,.0f}/s), seed {args.seed}")
    print(f"  resubmissions by construction: {copies / n:.2%} ({copies})")
    print(f"  flagged by nlp.dedup at {args.threshold}: {flagged / n:.2%} ({flagged})")
    print(f"  resubmissions found: {found / copies if copies else 1:.2%} ({found}/{copies})")
    print(f"  false groups (a first-time record matched unrelated ones): {false / fresh:.3%} ({false}/{fresh})")
    print(f"  first-time records left alone (distinct): {1 - false / fresh:.3%}")
    print(f"  exact-distinct title+content: {distinct / n:.2%} ({distinct})")
    print(f"  group sizes found: {dict(sorted(sizes.items()))}")
    print(f"  group sizes by construction: {dict(sorted(true_sizes.items()))}")
    for text, other in false_examples:
        print(f"    false: {text!r} ~ {other}")


if __name__ == "__main__":
    main()
