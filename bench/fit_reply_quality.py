"""Refit the reply scorer's calibrated model and write ``nlp/shipped/reply_quality.json``.

Data: ``../shared/datasets/teddy2020c/reply_explainability_scores.csv`` — 283 real government
replies with people's explainability score (0 = none … 4 = fully explained). It is read, never
copied: only the fitted weights, the file's SHA-256 and the cross-validated figures are written.

Label protocol: *complete* = explainability ≥ 2 (the case at least partly answered; levels 0 and 1
are transfers, deferrals and bare recitations of rules); the completeness part is P(level ≥ 2), the
explanation part the expected level / 4. ``--complete-from 3`` fits the stricter protocol ("mostly
or fully explained"); both cuts' AUCs are printed either way.

Steps: (1) with ``--grid``, print the held-out figures for a few regularisation strengths C (how
the shipped C was chosen — that choice looks at the same folds, so ``--nested`` also reports
figures with C chosen inside each outer training fold); (2) cross-validate the
chosen C: stratified 5-fold, near-duplicate replies kept in one fold, ``--repeats`` reshuffles, the
model refit on every training fold; (3) fit on all rows and write the weights with those figures.

Run: ``PYTHONPATH=. .venv/bin/python bench/fit_reply_quality.py [--csv PATH] [--c 0.03] [--grid]
[--nested] [--complete-from 2] [--out nlp/shipped/reply_quality.json]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.reply_calibration import (  # noqa: E402
    COMPLETE_FROM, DEFAULT_C, cross_validate, feature_matrix, file_digest, fit_model, near_duplicate_groups,
    read_scored_replies, stratified_group_folds,
)
from nlp.reply_eval import roc_auc, spearman  # noqa: E402
from nlp.reply_model import SHIPPED_FILE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "datasets" / "teddy2020c" / "reply_explainability_scores.csv"
DEFAULT_OUT = ROOT / "nlp" / "shipped" / SHIPPED_FILE
GRID = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3)


def line(label: str, cv: dict) -> str:
    def f(key: str) -> str:
        return f"{cv[key]['mean']:.3f}±{cv[key]['sd']:.3f}"
    return (f"{label:>8}  explanation: Spearman {f('explanation_spearman')}  AUC≥2 {f('explanation_auc_ge2')}"
            f"  AUC≥3 {f('explanation_auc_ge3')} | completeness: AUC≥2 {f('completeness_auc_ge2')}"
            f"  AUC≥3 {f('completeness_auc_ge3')}")


def nested(texts: list[str], levels: list[int], complete_from: int, seed: int = 0) -> None:
    """C chosen inside each outer training fold (inner 5-fold on explanation Spearman), scored on the outer fold."""
    x = feature_matrix(texts)
    expl, comp, chosen = [0.0] * len(texts), [0.0] * len(texts), []
    for test in stratified_group_folds(levels, near_duplicate_groups(texts), 5, seed):
        held = set(test)
        train = [i for i in range(len(texts)) if i not in held]
        t_texts, t_levels = [texts[i] for i in train], [levels[i] for i in train]
        best = max(GRID, key=lambda c: cross_validate(t_texts, t_levels, c, repeats=1, seed=seed + 1)
                   ["explanation_spearman"]["mean"])
        chosen.append(best)
        model = fit_model([], t_levels, best, complete_from, features=[x[i] for i in train])
        for i in test:
            p = model.predict(x[i])
            expl[i], comp[i] = p.explanation, p.completeness
    cuts = {c: [int(v >= c) for v in levels] for c in (2, 3)}
    print(f"  nested (C per outer fold: {', '.join(f'{c:g}' for c in chosen)}): explanation Spearman "
          f"{spearman(expl, levels):.3f}  AUC≥2 {roc_auc(expl, cuts[2]):.3f}  AUC≥3 {roc_auc(expl, cuts[3]):.3f}"
          f" | completeness AUC≥2 {roc_auc(comp, cuts[2]):.3f}  AUC≥3 {roc_auc(comp, cuts[3]):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--c", type=float, default=DEFAULT_C, help="inverse L2 strength (standardised features)")
    ap.add_argument("--complete-from", type=int, default=COMPLETE_FROM,
                    help="level from which people's score counts as a complete reply")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--grid", action="store_true", help="also print held-out figures for a few C values")
    ap.add_argument("--nested", action="store_true", help="also choose C inside each outer fold and report that")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    if not args.csv.is_file():
        print(f"skip: dataset not found: {args.csv}", file=sys.stderr)
        return 2
    texts, levels = read_scored_replies(args.csv)
    print(f"{len(texts)} replies; levels " + "  ".join(f"{v}: {levels.count(v)}" for v in sorted(set(levels)))
          + f"; complete (level ≥ {args.complete_from}): {sum(v >= args.complete_from for v in levels)}")
    if args.grid:
        for c in GRID:
            print(line(f"C={c:g}", cross_validate(texts, levels, c, repeats=args.repeats,
                                                          complete_from=args.complete_from)))
    if args.nested:
        nested(texts, levels, args.complete_from)
    t0 = time.perf_counter()
    cv = cross_validate(texts, levels, args.c, repeats=args.repeats, complete_from=args.complete_from)
    print(line(f"C={args.c:g}", cv) + f"   [{time.perf_counter() - t0:.1f} s]")
    import sklearn
    meta = {"source": "teddy2020c/reply_explainability_scores.csv", "source_sha256": file_digest(args.csv),
            "rows": len(texts), "C": args.c, "model": "multinomial logistic regression, L2, standardised features",
            "label_protocol": f"complete = explainability_score >= {args.complete_from}; explanation = E[level]/4",
            "cross_validation": cv, "sklearn": sklearn.__version__,
            "refit": "PYTHONPATH=. python bench/fit_reply_quality.py"}
    model = fit_model(texts, levels, args.c, args.complete_from, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
