"""Near-duplicate precision and recall on real citizen messages (Teddy Cup 2020, problem C).

    .venv/bin/python bench/eval_dedup.py [--n 400] [--threshold 0.6] [--seed 7]

1. Constructed pairs: ``--n`` distinct real messages, each with variants a resubmission would show
   (greeting added, sentences reordered, ~5% of characters edited, a phone number added, and all
   of these at once). Everything goes through the stage's own path (normalize → mask → MinHash)
   into one ``DupIndex``. Recall: variant pairs grouped with their original. Precision: grouped
   pairs that come from the same original (pairs of different originals count as false, although
   a few may be real duplicates the data already holds).
2. Exact repeats in ``messages_with_votes.csv``: rows with identical text (subject + detail) are
   true duplicate pairs; recall is the share of them the index groups. Grouped pairs that are not
   exact repeats are reported separately (near-duplicates or errors; sample printed).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.dedup import DupIndex, MinHasher  # noqa: E402
from nlp.normalize import Normalizer  # noqa: E402
from nlp.pii import PiiMasker, strip_tags  # noqa: E402

TEDDY = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c"
GREETINGS = (("尊敬的领导您好:", "谢谢!"), ("您好,", "望尽快处理,谢谢。"), ("领导好!我要反映一个问题。", "盼复。"))


def read(name: str) -> list[dict[str, str]]:
    with open(TEDDY / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def message_text(row: dict[str, str]) -> str:
    return f"{row.get('留言主题', '').strip()}\n{row.get('留言详情', '').strip()}"


def reorder(text: str, rng: random.Random) -> str:
    parts = [p for p in re.split(r"(?<=[。!?!?;；])", text) if p.strip()]
    if len(parts) < 2:
        half = len(text) // 2
        return text[half:] + text[:half]
    rng.shuffle(parts)
    return "".join(parts)


def edit_chars(text: str, rng: random.Random, rate: float = 0.05) -> str:
    chars = list(text)
    for _ in range(max(1, int(len(chars) * rate))):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            chars[i] = rng.choice("的了是在有和就不人都")
        elif op < 0.7:
            del chars[i]
        else:
            chars.insert(i, rng.choice("很也还又再"))
    return "".join(chars)


def variants(text: str, rng: random.Random) -> dict[str, str]:
    pre, post = rng.choice(GREETINGS)
    phone = f"联系电话1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}。"
    return {
        "greeting": pre + text + post,
        "reorder": reorder(text, rng),
        "edit5%": edit_chars(text, rng),
        "phone": text + phone,
        "all": pre + edit_chars(reorder(text, rng), rng) + phone + post,
    }


class Pipeline:
    """The stage's own path to a signature: normalize, mask, drop tags, MinHash."""

    def __init__(self, threshold: float) -> None:
        self.norm, self.mask, self.hasher = Normalizer(), PiiMasker(), MinHasher()
        self.index = DupIndex(self.hasher, threshold=threshold)

    def add(self, key: str, text: str) -> None:
        self.index.add(key, self.hasher.signature(strip_tags(self.mask(self.norm(text)))))

    def grouped_pairs(self) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for key, g in self.index.group_of.items():
            groups[g].append(key)
        return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}


def constructed(n: int, threshold: float, seed: int) -> None:
    rng = random.Random(seed)
    rows = read("messages_with_votes.csv") + read("messages_unlabeled.csv")
    seen: set[str] = set()
    texts = []
    for r in rows:
        t = message_text(r)
        core = re.sub(r"\s+", "", t)
        if len(core) >= 40 and core not in seen:
            seen.add(core)
            texts.append(t)
    originals = rng.sample(texts, n)
    pipe = Pipeline(threshold)
    truth: set[tuple[str, str]] = set()
    by_kind: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, text in enumerate(originals):
        pipe.add(f"{i}:orig", text)
    for i, text in enumerate(originals):
        for kind, v in variants(text, rng).items():
            key = f"{i}:{kind}"
            pipe.add(key, v)
            pair = tuple(sorted((f"{i}:orig", key)))
            by_kind[kind].append(pair)
    members = [f"{i}:{k}" for i in range(n) for k in ("orig", *variants("样例。文本。", rng))]
    for a, b in itertools.combinations(members, 2):
        if a.split(":")[0] == b.split(":")[0]:
            truth.add((a, b) if a < b else (b, a))
    predicted = pipe.grouped_pairs()
    tp = len(predicted & truth)
    print(f"constructed pairs: {n} real messages × 5 variants, threshold {threshold}")
    print(f"  all same-demand pairs: recall {tp / len(truth):.3f} ({tp}/{len(truth)}), "
          f"precision {tp / len(predicted) if predicted else 1.0:.3f} ({tp}/{len(predicted)} grouped pairs)")
    for kind, pairs in by_kind.items():
        hit = sum(1 for p in pairs if p in predicted)
        print(f"  original ↔ {kind:8} recall {hit / len(pairs):.3f} ({hit}/{len(pairs)})")
    cross = [p for p in predicted if p[0].split(":")[0] != p[1].split(":")[0]]
    origin_pairs = {tuple(sorted((int(a.split(":")[0]), int(b.split(":")[0])))) for a, b in cross}
    print(f"  grouped pairs of different originals: {len(cross)}, from {len(origin_pairs)} pairs of originals")
    for i, j in sorted(origin_pairs)[:3]:
        print(f"    {originals[i][:40]!r} | {originals[j][:40]!r}")


def exact_repeats(threshold: float) -> None:
    rows = read("messages_with_votes.csv")
    pipe = Pipeline(threshold)
    by_text: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        text = message_text(r)
        key = r["留言编号"]
        by_text[re.sub(r"\s+", "", text)].append(key)
        pipe.add(key, text)
    truth = {tuple(sorted(p)) for keys in by_text.values() if len(keys) > 1 for p in itertools.combinations(keys, 2)}
    predicted = pipe.grouped_pairs()
    tp = len(predicted & truth)
    extra = sorted(predicted - truth)
    print(f"exact repeats in messages_with_votes.csv ({len(rows)} rows, threshold {threshold}):")
    print(f"  {sum(1 for k in by_text.values() if len(k) > 1)} repeated texts, {len(truth)} exact-repeat pairs")
    print(f"  recall {tp / len(truth) if truth else 1.0:.3f} ({tp}/{len(truth)}); "
          f"grouped pairs {len(predicted)}, of which exact repeats {tp}, near (not exact) {len(extra)}")
    text_of = {r["留言编号"]: message_text(r) for r in rows}
    for a, b in extra[:3]:
        print(f"    near pair {a} / {b}: {text_of[a][:40]!r} | {text_of[b][:40]!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not TEDDY.is_dir():
        sys.exit(f"absent: {TEDDY}")
    constructed(args.n, args.threshold, args.seed)
    exact_repeats(args.threshold)


if __name__ == "__main__":
    main()
