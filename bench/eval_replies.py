"""Reply quality against people's judgement, and on the Teddy Cup 2020 (problem C) replies.

Four sections, each a figure you can check:

1. **People's scores** (``reply_explainability_scores.csv``, 283 replies scored 0–4): held-out
   Spearman of the explanation part with the scores and ROC-AUC of each part on the 0/1 labels
   "level ≥ 2" (the shipped completeness protocol) and "level ≥ 3" — stratified k-fold repeated
   with reshuffles, the weights refit on every training fold (never the shipped weights, which
   saw every row). Relevance needs the demand: 275 of the 283 replies are excerpts of replies in
   ``messages_with_replies.csv``, joined by their first 40 characters; relevance is not fitted, so
   its Spearman on those rows needs no folds.
2. **Relevance without labels**: ROC-AUC of telling each true (demand, reply) pair of the 2,816
   from the same reply paired with a random other demand (fixed seed).
3. **Speed**: replies per second through ``ReplyQualityScorer.score`` and through
   ``nlp.reply_eval.evaluate_replies``, one process.
4. The score and response-time distributions on the 2,816 pairs, five best and five worst.

Run: ``PYTHONPATH=. .venv/bin/python bench/eval_replies.py [--data DIR] [--limit-days 15] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.reply_calibration import (  # noqa: E402
    DEFAULT_C, cross_validate, held_out_predictions, read_scored_replies,
)
from nlp.reply_eval import evaluate_replies, parse_time, roc_auc, spearman  # noqa: E402
from nlp.reply_quality import DEFAULT_WEIGHTS, ReplyQualityScorer  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c"
_SPACE = re.compile(r"\s+")


def quantiles(values: list[float], qs=(0.1, 0.25, 0.5, 0.75, 0.9, 0.99)) -> dict[str, float]:
    s = sorted(values)
    return {f"p{int(q * 100)}": s[min(len(s) - 1, round(q * (len(s) - 1)))] for q in qs}


def histogram(values: list[float], edges: list[float], labels: list[str]) -> list[tuple[str, int]]:
    counts = [0] * len(labels)
    for v in values:
        for i, edge in enumerate(edges):
            if v <= edge:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
    return list(zip(labels, counts))


def bar(n: int, total: int, width: int = 40) -> str:
    return "#" * round(width * n / total) if total else ""


def fmt(cv: dict, key: str) -> str:
    return f"{cv[key]['mean']:.3f} ±{cv[key]['sd']:.3f} (worst {cv[key]['min']:.3f})"


def demand_of(r: dict[str, str]) -> str:
    return f"{(r.get('留言主题') or '').strip()}\n{(r.get('留言详情') or '').strip()}"


def people_section(scored_csv: Path, pairs: list[dict[str, str]], repeats: int) -> None:
    texts, levels = read_scored_replies(scored_csv)
    t0 = time.perf_counter()
    cv = cross_validate(texts, levels, DEFAULT_C, k=5, repeats=repeats)
    print(f"== people's explainability scores: {len(texts)} replies, 5-fold × {repeats} reshuffles, "
          f"weights refit per fold (C={DEFAULT_C:g}) [{time.perf_counter() - t0:.1f} s]")
    print(f"  explanation  Spearman with the 0–4 scores  {fmt(cv, 'explanation_spearman')}")
    for part in ("completeness", "explanation"):
        print(f"  {part:12} AUC on level≥2  {fmt(cv, f'{part}_auc_ge2')}    AUC on level≥3  {fmt(cv, f'{part}_auc_ge3')}")
    expl, comp = held_out_predictions(texts, levels, DEFAULT_C, k=5, seed=0)
    w_c, w_e = DEFAULT_WEIGHTS["completeness"], DEFAULT_WEIGHTS["explanation"]
    overall = [(w_c * c + w_e * e) / (w_c + w_e) for c, e in zip(comp, expl)]
    print(f"  score (reply-only parts, seed 0) Spearman {spearman(overall, levels):.3f}  "
          f"AUC≥2 {roc_auc(overall, [int(v >= 2) for v in levels]):.3f}  "
          f"AUC≥3 {roc_auc(overall, [int(v >= 3) for v in levels]):.3f}")
    by_prefix = {}
    for r in pairs:
        by_prefix.setdefault(_SPACE.sub("", r.get("答复意见") or ""), r)
    joined = []
    for text, level in zip(texts, levels):
        key = _SPACE.sub("", text)[:40]
        match = next((r for full, r in by_prefix.items() if key and key in full), None)
        if match is not None:
            joined.append((demand_of(match), text, level))
    scorer = ReplyQualityScorer()
    rel = [(scorer.relevance(d, _SPACE.sub("", t))[0], lv) for d, t, lv in joined]
    rel = [(v, lv) for v, lv in rel if v is not None]
    print(f"  relevance on {len(rel)} joined rows: Spearman {spearman([v for v, _ in rel], [lv for _, lv in rel]):.3f}"
          f"  AUC≥2 {roc_auc([v for v, _ in rel], [int(lv >= 2) for _, lv in rel]):.3f} (not fitted)")


def relevance_section(pairs: list[dict[str, str]], scorer: ReplyQualityScorer) -> None:
    demands = [demand_of(r) for r in pairs]
    replies = [r.get("答复意见") or "" for r in pairs]
    perm = list(range(len(pairs)))
    random.Random(0).shuffle(perm)
    true = [scorer.relevance(d, rp)[0] or 0.0 for d, rp in zip(demands, replies)]
    fake = [scorer.relevance(demands[perm[i]], replies[i])[0] or 0.0 for i in range(len(pairs))]
    auc = roc_auc(true + fake, [1] * len(true) + [0] * len(fake))
    print(f"\n== relevance: true pair vs same reply with a random other demand (seed 0), {len(pairs)} pairs: "
          f"AUC {auc:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the teddy2020c directory")
    ap.add_argument("--limit-days", type=float, default=15.0)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    pairs_csv, scored_csv = args.data / "messages_with_replies.csv", args.data / "reply_explainability_scores.csv"
    if not pairs_csv.is_file() or not scored_csv.is_file():
        print(f"skip: dataset not found under {args.data} (needs {pairs_csv.name} and {scored_csv.name})",
              file=sys.stderr)
        return 2
    with pairs_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    scorer = ReplyQualityScorer(default_time_limit=timedelta(days=args.limit_days))
    people_section(scored_csv, rows, args.repeats)
    relevance_section(rows, scorer)
    distributions(rows, scorer, timedelta(days=args.limit_days))
    with scored_csv.open(encoding="utf-8", newline="") as fh:
        labelled = [dict(r, demand="") for r in csv.DictReader(fh)]
    ev = evaluate_replies(labelled, "demand", "reply_text", {"explanation": "explainability_score"})
    print(f"evaluate_replies on the 283 (shipped weights, in-sample: speed only): {ev['rows_per_s']:,.0f} rows/s")
    return 0


def distributions(rows: list[dict[str, str]], scorer: ReplyQualityScorer, limit: timedelta) -> None:
    t0 = time.perf_counter()
    scored, days, bad_times, negative = [], [], 0, 0
    for r in rows:
        received, replied = parse_time(r.get("留言时间", "")), parse_time(r.get("答复时间", ""))
        if received is None or replied is None:
            bad_times += 1
        elif replied < received:
            negative += 1
        else:
            days.append((replied - received).total_seconds() / 86400)
        reply = " ".join((r.get("答复意见") or "").split())
        scored.append((scorer.score(demand_of(r), reply, received, replied, limit), (r.get("留言主题") or "").strip(), reply))
    elapsed = time.perf_counter() - t0
    n = len(scored)
    scores = [s.score for s, _, _ in scored]
    print(f"\n== speed and distribution on messages_with_replies.csv: {n} replies, {n / elapsed:,.0f} replies/s "
          f"({elapsed:.2f} s, one process, all four parts with reasons)")
    print(f"score mean {statistics.fmean(scores):.3f}  median {statistics.median(scores):.3f}  "
          + "  ".join(f"{k} {v:.3f}" for k, v in quantiles(scores).items()))
    for part in ("relevance", "completeness", "explanation", "timeliness"):
        vals = [getattr(s, part) for s, _, _ in scored if getattr(s, part) is not None]
        print(f"  {part:13} mean {statistics.fmean(vals):.3f} (on {len(vals)} replies)")
    edges = [i / 10 for i in range(1, 11)]
    labels = [f"{i / 10:.1f}–{(i + 1) / 10:.1f}" for i in range(10)]
    for label, c in histogram(scores, edges, labels):
        print(f"  {label}  {c:5d}  {bar(c, n)}")
    boiler = sum(1 for s, _, _ in scored if s.reasons and s.reasons[0].startswith("答复只有客套话"))
    print(f"boilerplate-only replies (e.g. 留言已收悉): {boiler}")
    limit_days = limit.total_seconds() / 86400
    print(f"\n== response time: {len(days)} with both times; {bad_times} unparseable, {negative} reply before message")
    print("days  mean {:.1f}  ".format(statistics.fmean(days)) + "  ".join(f"{k} {v:.1f}" for k, v in quantiles(days).items()))
    within = sum(1 for d in days if d <= limit_days)
    print(f"within {limit_days:g}-day limit: {within}/{len(days)} = {within / len(days):.1%}")
    ranked = sorted(scored, key=lambda x: (x[0].score, len(x[2])))
    substantive = [x for x in ranked if not x[0].reasons[0].startswith("答复只有客套话")]
    for heading, picks in (("five best", ranked[::-1][:5]), ("five worst among replies with some substance", substantive[:5])):
        print(f"\n== {heading}")
        for s, title, reply in picks:
            print(f"[{s.score:.3f}] {title[:40]}")
            print(f"   reasons: {'；'.join(s.reasons)}")
            print(f"   reply: {reply[:120]}{'…' if len(reply) > 120 else ''}")


if __name__ == "__main__":
    raise SystemExit(main())
