"""Reply quality and response time on the Teddy Cup 2020 (problem C) messages with replies.

Reads ``../shared/datasets/teddy2020c/messages_with_replies.csv`` with a small reader of its own
(the columns 留言主题, 留言时间, 留言详情, 答复意见, 答复时间), scores every reply with
``nlp.reply_quality.ReplyQualityScorer`` against a 15-day limit (the shipped default 时限), and
prints the score distribution, the response-time distribution, and the five best and five worst
replies. Run: ``.venv/bin/python bench/eval_replies.py [--csv PATH] [--limit-days 15]``.
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.reply_quality import ReplyQualityScorer  # noqa: E402

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c" / "messages_with_replies.csv"
EXCEL_EPOCH = datetime(1899, 12, 30)
FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")


def parse_time(raw: str) -> datetime | None:
    """The export mixes text dates and Excel serial numbers; None when neither."""
    text = " ".join((raw or "").split())
    if not text:
        return None
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return EXCEL_EPOCH + timedelta(days=float(text))
    return None


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--limit-days", type=float, default=15.0)
    args = ap.parse_args()
    if not args.csv.is_file():
        print(f"dataset not found: {args.csv}", file=sys.stderr)
        return 2
    with args.csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    scorer = ReplyQualityScorer(default_time_limit=timedelta(days=args.limit_days))
    limit = timedelta(days=args.limit_days)
    t0 = time.perf_counter()
    scored, days, bad_times, negative = [], [], 0, 0
    for r in rows:
        title = (r.get("留言主题") or "").strip()
        demand = f"{title}\n{(r.get('留言详情') or '').strip()}"
        reply = " ".join((r.get("答复意见") or "").split())
        received, replied = parse_time(r.get("留言时间", "")), parse_time(r.get("答复时间", ""))
        if received is None or replied is None:
            bad_times += 1
        elif replied < received:
            negative += 1
        else:
            days.append((replied - received).total_seconds() / 86400)
        s = scorer.score(demand, reply, received, replied, limit)
        scored.append((s, title, reply))
    elapsed = time.perf_counter() - t0

    n = len(scored)
    scores = [s.score for s, _, _ in scored]
    print(f"== reply quality on {args.csv.name}: {n} replies, {n / elapsed:,.0f} replies/s "
          f"({elapsed:.2f} s, one process)")
    print(f"score mean {statistics.fmean(scores):.3f}  median {statistics.median(scores):.3f}  "
          + "  ".join(f"{k} {v:.3f}" for k, v in quantiles(scores).items()))
    for part in ("relevance", "completeness", "explanation"):
        vals = [getattr(s, part) for s, _, _ in scored]
        print(f"  {part:13} mean {statistics.fmean(vals):.3f}")
    timed = [s.timeliness for s, _, _ in scored if s.timeliness is not None]
    print(f"  {'timeliness':13} mean {statistics.fmean(timed):.3f} (on {len(timed)} replies with both times)")
    print("score histogram:")
    edges = [i / 10 for i in range(1, 11)]
    labels = [f"{i / 10:.1f}–{(i + 1) / 10:.1f}" for i in range(10)]
    for label, c in histogram(scores, edges, labels):
        print(f"  {label}  {c:5d}  {bar(c, n)}")
    boiler = sum(1 for s, _, _ in scored if s.reasons and s.reasons[0].startswith("答复只有客套话"))
    print(f"boilerplate-only replies (e.g. 留言已收悉): {boiler}")

    print(f"\n== response time: {len(days)} with both times; {bad_times} unparseable, {negative} reply before message")
    print("days  mean {:.1f}  ".format(statistics.fmean(days))
          + "  ".join(f"{k} {v:.1f}" for k, v in quantiles(days).items()))
    within = sum(1 for d in days if d <= args.limit_days)
    print(f"within {args.limit_days:g}-day limit: {within}/{len(days)} = {within / len(days):.1%}")
    for label, c in histogram(days, [1, 3, 7, 15, 30, 90, 365, float("inf")],
                              ["≤1 d", "1–3 d", "3–7 d", "7–15 d", "15–30 d", "30–90 d", "90–365 d", ">365 d"]):
        print(f"  {label:9} {c:5d}  {bar(c, len(days))}")

    ranked = sorted(scored, key=lambda x: (x[0].score, len(x[2])))
    substantive = [x for x in ranked if not x[0].reasons[0].startswith("答复只有客套话")]
    for heading, picks in (("five best", ranked[::-1][:5]), ("five worst", ranked[:5]),
                           ("five worst among replies with some substance", substantive[:5])):
        print(f"\n== {heading}")
        for s, title, reply in picks:
            print(f"[{s.score:.3f}] {title[:40]}")
            print(f"   reasons: {'；'.join(s.reasons)}")
            print(f"   reply: {reply[:120]}{'…' if len(reply) > 120 else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
