"""The calibrated core of the reply scorer: people's explainability levels predicted from reply cues.

A multinomial logistic model over the levels 0–4 of ``reply_explainability_scores.csv`` (people's
judgement of how well a real government reply explains itself), on the cue vector of
``nlp.reply_features``. Two parts of the score come from its class probabilities:

- **explanation** = expected level / 4 (how far people would say the reply explains itself);
- **completeness** = P(level ≥ ``complete_from``), the chance people judge the reply complete
  (by default level ≥ 2: the case at least partly answered; the label protocol is in
  ``nlp.reply_calibration``).

Weights are stored on the raw feature scale as plain JSON (no pickle) in ``nlp/shipped/`` and
applied here in pure Python, so scoring needs neither numpy nor scikit-learn. Fitting lives in
``nlp.reply_calibration``.
"""

from __future__ import annotations

import json
import math
from operator import mul
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from nlp.reply_features import FEATURE_NAMES

FORMAT = "suqiu-reply-quality/1"
SHIPPED_FILE = "reply_quality.json"


class ReplyModelError(ValueError):
    """A weights file cannot be used (wrong format, features that differ from the code's)."""


@dataclass(frozen=True)
class Prediction:
    probabilities: tuple[float, ...]
    expected_level: float
    explanation: float      # expected level scaled to 0–1
    completeness: float     # P(level ≥ complete_from)


@dataclass(frozen=True)
class ReplyModel:
    """Per-level weights on the raw features; ``means`` are the training means (for effects)."""

    features: tuple[str, ...]
    levels: tuple[int, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    means: tuple[float, ...]
    complete_from: int = 2
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if tuple(self.features) != FEATURE_NAMES:
            raise ReplyModelError("weights were fitted on other features than nlp.reply_features defines: "
                                  "refit with bench/fit_reply_quality.py")
        if len(self.coef) != len(self.levels) or len(self.intercept) != len(self.levels):
            raise ReplyModelError("weights file: one coefficient row and one intercept per level expected")
        if any(len(row) != len(self.features) for row in self.coef) or len(self.means) != len(self.features):
            raise ReplyModelError("weights file: coefficient rows and means must have one value per feature")
        if self.complete_from not in self.levels:
            raise ReplyModelError(f"complete_from {self.complete_from} is not one of the levels {self.levels}")

    # ------------------------------------------------------------------ inference
    def probabilities(self, x: Sequence[float]) -> list[float]:
        z = [b + sum(w * v for w, v in zip(row, x) if v) for row, b in zip(self.coef, self.intercept)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return [v / total for v in e]

    def predict(self, x: Sequence[float]) -> Prediction:
        p = self.probabilities(x)
        expected = sum(level * pk for level, pk in zip(self.levels, p))
        span = (max(self.levels) - min(self.levels)) or 1
        complete = sum(pk for level, pk in zip(self.levels, p) if level >= self.complete_from)
        return Prediction(tuple(p), expected, (expected - min(self.levels)) / span, complete)

    def effects(self, x: Sequence[float], p: Sequence[float]) -> tuple[list[float], list[float]]:
        """Each feature's first-order push on (explanation, completeness) relative to a typical reply.

        Used only to word the reasons: ``(x_j - mean_j) * d part / d x_j`` at this reply, so a cue
        that is present and raises the part gets a positive effect, one that is missing and would
        have raised it a negative one.
        """
        span = (max(self.levels) - min(self.levels)) or 1
        expected = sum(level * pk for level, pk in zip(self.levels, p))
        a_expl = [pk * (level - expected) / span for pk, level in zip(p, self.levels)]
        p_upper = sum(pk for pk, level in zip(p, self.levels) if level >= self.complete_from)
        # d P(upper) / d x_j = sum_k (1[k upper] - P(upper)) p_k w_kj
        b_comp = [pk * ((level >= self.complete_from) - p_upper) for pk, level in zip(p, self.levels)]
        expl = [(xj - mj) * sum(map(mul, a_expl, col)) for xj, mj, col in zip(x, self.means, self._columns)]
        comp = [(xj - mj) * sum(map(mul, b_comp, col)) for xj, mj, col in zip(x, self.means, self._columns)]
        return expl, comp

    @property
    def _columns(self) -> tuple[tuple[float, ...], ...]:
        """The weights per feature (one value per level), built once per model."""
        cols = self.__dict__.get("_cols")
        if cols is None:
            cols = tuple(zip(*self.coef))
            object.__setattr__(self, "_cols", cols)
        return cols

    # ------------------------------------------------------------------ storage
    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "features": list(self.features), "levels": list(self.levels),
                "complete_from": self.complete_from,
                "coef": [[round(w, 8) for w in row] for row in self.coef],
                "intercept": [round(b, 8) for b in self.intercept],
                "means": [round(m, 8) for m in self.means], "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReplyModel:
        if data.get("format") != FORMAT:
            raise ReplyModelError(f"not a reply-quality weights file (format {data.get('format')!r}, expected {FORMAT})")
        try:
            return cls(features=tuple(data["features"]), levels=tuple(int(v) for v in data["levels"]),
                       coef=tuple(tuple(float(w) for w in row) for row in data["coef"]),
                       intercept=tuple(float(b) for b in data["intercept"]),
                       means=tuple(float(m) for m in data["means"]),
                       complete_from=int(data["complete_from"]), meta=dict(data.get("meta") or {}))
        except (KeyError, TypeError) as exc:
            raise ReplyModelError(f"weights file is missing or mangles a field: {exc}") from exc

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_model(path: Path) -> ReplyModel:
    return ReplyModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def shipped_model() -> ReplyModel:
    """The weights packaged with the project (rebuilt by ``bench/fit_reply_quality.py``)."""
    ref = resources.files("nlp").joinpath("shipped", SHIPPED_FILE)
    with resources.as_file(ref) as path:
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: rebuild it with `python bench/fit_reply_quality.py`")
        return load_model(path)
