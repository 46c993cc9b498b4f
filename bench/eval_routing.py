"""5-fold cross-validation of the department router on the Teddy Cup 2020 labelled messages.

    .venv/bin/python bench/eval_routing.py [--data PATH] [--folds 5] [--param C=5 ...]

Prints one JSON line per fold and a summary: macro-F1 and accuracy (mean and per fold), how many
held-out messages clear ``routing.confidence_threshold`` and how accurate those are (what the
triage queue saves the petition office), and prediction speed. Labels map to the shipped
configuration's departments the way ``suqiu train router`` maps them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "teddy2020c" / "messages_labeled.csv"


def _param(text: str) -> tuple[str, object]:
    key, _, raw = text.partition("=")
    try:
        value: object = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    if isinstance(value, list):
        value = tuple(value)
    return key, value


def main() -> None:
    from sklearn.model_selection import StratifiedKFold

    from nlp.evaluation import evaluate
    from nlp.routing import DepartmentRules, RouterModel, RouterModelParams
    from crawlers.importers.labelled import read_labelled
    from nlp.training import route_docs
    from suqiu.config import default_config_text, parse_config
    import tomllib

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--param", action="append", default=[], help="RouterModelParams field=value")
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"no data at {args.data}")

    config = parse_config(tomllib.loads(default_config_text()))
    rules = DepartmentRules.from_config(config)
    params = RouterModelParams()
    known = {f.name for f in fields(RouterModelParams)}
    for p in args.param:
        key, value = _param(p)
        if key not in known:
            sys.exit(f"unknown parameter {key}; known: {sorted(known)}")
        params = replace(params, **{key: value})

    data = read_labelled(args.data, "text", "label")
    labels, skipped = data.labels, data.skipped
    t0 = time.perf_counter()
    docs = route_docs(config, data.texts)  # the text pipeline analysis runs: masked tokens
    prep_s = time.perf_counter() - t0
    y = np.array([rules.map_label(l) for l in labels])
    threshold = config.routing.confidence_threshold

    skf = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    f1s, accs, speeds, cleared, cleared_acc = [], [], [], [], []
    for k, (tr, te) in enumerate(skf.split(np.zeros(len(y)), y)):
        t0 = time.perf_counter()
        model = RouterModel(params).fit([docs[i] for i in tr], list(y[tr]))
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = model.predict_proba([docs[i] for i in te])
        pred_s = time.perf_counter() - t0
        pred = [model.classes_[j] for j in proba.argmax(axis=1)]
        m = evaluate(list(y[te]), pred, pred_s)
        conf = proba.max(axis=1)
        ok = conf >= threshold
        hit = np.array(pred) == y[te]
        f1s.append(m["macro_f1"])
        accs.append(m["accuracy"])
        speeds.append(m["docs_per_s"])
        cleared.append(float(ok.mean()))
        cleared_acc.append(float(hit[ok].mean()) if ok.any() else 0.0)
        print(json.dumps({"fold": k, "macro_f1": m["macro_f1"], "accuracy": m["accuracy"],
                          "fit_s": round(fit_s, 1), "docs_per_s": m["docs_per_s"],
                          "above_threshold": round(cleared[-1], 3),
                          "accuracy_above_threshold": round(cleared_acc[-1], 4)}, ensure_ascii=False),
              flush=True)
        if k == args.folds - 1:
            per_class = m["per_class_f1"]
    print(json.dumps({
        "summary": "routing 5-fold CV" if args.folds == 5 else f"routing {args.folds}-fold CV",
        "n_docs": len(y), "skipped_rows": skipped, "params": params.__dict__,
        "macro_f1_mean": round(float(np.mean(f1s)), 4), "macro_f1_std": round(float(np.std(f1s)), 4),
        "accuracy_mean": round(float(np.mean(accs)), 4),
        "threshold": threshold, "above_threshold_mean": round(float(np.mean(cleared)), 3),
        "accuracy_above_threshold_mean": round(float(np.mean(cleared_acc)), 4),
        "predict_docs_per_s_mean": round(float(np.mean(speeds)), 1),
        "prepare_docs_per_s": round(len(y) / prep_s, 1),
        "last_fold_per_class_f1": per_class,
    }, ensure_ascii=False, default=str), flush=True)


if __name__ == "__main__":
    main()
