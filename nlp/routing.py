"""Department routing: the petition office's rules first, then a trained classifier, else triage.

Two layers, composed by ``Router``:

* ``DepartmentRules`` come from the configuration and are editable by the petition office: a
  source's own category (一级分类) naming a department, explicit ``routing.rules`` (these always
  win over the model) and the departments' keywords (a fallback when no model is trained, or an
  override when ``routing.keywords_override`` is set).
* ``RouterModel`` is a classifier trained on a city's labelled history: character n-grams of the
  text, character n-grams of its head (where the subject sits) and word unigrams from the caller's
  tokens (numbers and anonymised place codes dropped first), weighted TF-IDF into a linear SVM whose
  scores are calibrated (Platt, cross-validated) into probabilities. Below
  ``routing.confidence_threshold`` the demand goes to the triage queue (待人工分派) with its top
  candidates. Unlabelled messages of the same city, when given, widen
  the word block's vocabulary and IDF; in-domain Word2Vec vectors and self-training on confident
  pseudo-labels are there too, off by default (``nlp.route_unlabeled``; figures in
  ``bench/eval_routing.py``).

Tokenizing is the caller's job (``RouteDoc.tokens``): the analysis stage passes the tokens the
text stage stored, training passes the same ``Segmenter``'s tokens, so both see the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import re

import numpy as np

from nlp.char_ngrams import CharNgramTfidf
from nlp.route_unlabeled import EmbeddingParams, WordEmbeddings, pseudo_labels

if TYPE_CHECKING:
    from suqiu.config import Config

RULE, MODEL, TRIAGE = "rule", "model", "triage"
_SPACE_RE = re.compile(r"\s+")
# Numbers (dates, amounts, masked phone numbers) and anonymised place codes (A市, A3区, K4县) say
# where and when, not which department: dropped, they lifted 5-fold macro-F1 by about 0.003 on
# two seeds of folds (bench/eval_routing.py). Real place names stay.
_CODE_TEXT_RE = re.compile(r"[A-Z]\d{0,2}[市区县镇]|\d+")
_CODE_TOKEN_RE = re.compile(r"[A-Z]\d{0,2}[市区县镇]?|\d+(?:\.\d+)?")
_CODE_START = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")   # spares most tokens the regex


@dataclass(frozen=True)
class RouteDoc:
    """What routing reads of one demand."""

    text: str
    tokens: Sequence[str] = ()
    category_given: str | None = None


@dataclass(frozen=True)
class RouteDecision:
    department: str                # a configured department's name, or the triage queue's name
    confidence: float              # in [0, 1]
    reason: str                    # rule | model | triage
    candidates: list[dict[str, Any]] = field(default_factory=list)  # [{"department", "score"}], best first
    matched: tuple[str, ...] = ()  # the words or category a rule matched


# ---------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class _Rule:
    department: str
    keywords: tuple[str, ...]
    require: tuple[str, ...] = ()


class DepartmentRules:
    """The configuration's routing knowledge: names, aliases, categories, keywords, explicit rules."""

    def __init__(self, departments: Sequence[tuple[str, Sequence[str], Sequence[str], Sequence[str]]],
                 rules: Sequence[_Rule] = ()) -> None:
        """``departments``: (name, aliases, categories, keywords) in configuration order."""
        self.names = [d[0] for d in departments]
        self._lookup: dict[str, str] = {}
        for name, aliases, categories, _ in departments:
            for key in (name, *aliases, *categories):
                self._lookup.setdefault(key.strip(), name)
        self._keywords = {name: tuple(k for k in keywords if k) for name, _, _, keywords in departments}
        self.rules = tuple(rules)

    @classmethod
    def from_config(cls, config: "Config") -> "DepartmentRules":
        deps = [(d.name, d.aliases, d.categories, d.keywords) for d in config.departments]
        rules = [_Rule(config.department(r.department).name, tuple(r.keywords), tuple(r.require))  # type: ignore[union-attr]
                 for r in config.routing.rules]
        return cls(deps, rules)

    def department_for(self, label: str | None) -> str | None:
        """The department a name, alias or category stands for (None when none does)."""
        if not label:
            return None
        return self._lookup.get(label.strip())

    def map_label(self, label: str) -> str:
        """A training label as a configured department when one matches, else the label itself."""
        return self.department_for(label) or label.strip()

    def explicit(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """The first explicit rule whose words occur in the text, with the words that matched."""
        best: tuple[str, tuple[str, ...]] | None = None
        for rule in self.rules:
            hits = tuple(k for k in rule.keywords if k in text)
            if hits and all(r in text for r in rule.require):
                if best is None or len(hits) > len(best[1]):
                    best = (rule.department, hits + rule.require)
        return best

    def keyword_hits(self, text: str) -> dict[str, tuple[str, ...]]:
        """Department → its keywords found in the text (departments without hits left out)."""
        out: dict[str, tuple[str, ...]] = {}
        for name, words in self._keywords.items():
            hits = tuple(w for w in words if w in text)
            if hits:
                out[name] = hits
        return out


# ---------------------------------------------------------------------------------------- model
def _given_tokens(tokens: Sequence[str]) -> Sequence[str]:
    """TF-IDF analyzer for pre-tokenized input (module level so fitted models pickle)."""
    return tokens


@dataclass
class RouterModelParams:
    char_ngrams: tuple[int, int] = (1, 2)
    head_chars: int = 40            # the subject usually comes first; its n-grams get their own block
    head_ngrams: tuple[int, int] = (1, 3)
    head_weight: float = 0.7
    word_weight: float = 1.3
    min_df: int = 2
    C: float = 0.5
    calibration_folds: int = 3
    seed: int = 13
    # What unlabelled messages (``fit(..., unlabeled=...)``) contribute; without them none applies.
    # Off by default where bench/eval_routing.py measured no gain on the Teddy Cup data (Word2Vec
    # block, self-training); turn them on with ``--param`` there to measure again on a city's data.
    unlabeled_vocabulary: bool = True   # word TF-IDF vocabulary and IDF from labelled + unlabelled
    embedding_weight: float = 0.0       # in-domain Word2Vec document vectors as one more block (0: off)
    embedding_dim: int = 100
    embedding_epochs: int = 5
    pseudo_label_share: float = 0.0     # self-training: per class, up to this share of its labelled count
    pseudo_label_confidence: float = 0.9
    pseudo_label_weight: float = 0.5
    ignore_codes: bool = True           # drop numbers and place codes before every block (_CODE_TEXT_RE)


class RouterModel:
    """Text → department probabilities. ``fit`` on labelled docs, ``predict_proba`` on new ones.

    ``fit(docs, labels, unlabeled=...)`` also learns from unlabelled messages of the same city:
    the word block's vocabulary and IDF, and in-domain word embeddings (``nlp.route_unlabeled``);
    with ``pseudo_label_share`` > 0 it self-trains on the unlabelled messages it is surest of.
    """

    def __init__(self, params: RouterModelParams | None = None) -> None:
        self.params = params or RouterModelParams()
        self.classes_: list[str] = []
        self._vectorizers: list[Any] = []
        self._embeddings: WordEmbeddings | None = None
        self._clf: Any = None
        self.n_unlabeled = 0        # unlabelled messages the fit read
        self.n_pseudo_labels = 0    # of those, how many self-training added as labelled

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Models saved before unlabelled messages were supported load with their defaults."""
        self.__dict__.update({"_embeddings": None, "n_unlabeled": 0, "n_pseudo_labels": 0, **state})
        if "ignore_codes" not in self.params.__dict__:
            self.params.ignore_codes = False    # trained on the text as it was: read it so

    def _clean(self, docs: Iterable[RouteDoc], tokens: bool = True) -> list[RouteDoc]:
        """The docs without numbers and place codes (``ignore_codes``), as every block reads them.

        ``tokens=False`` cleans the text only: prediction's shortcut, since a fit on cleaned tokens
        has no code in its word vocabulary and an unknown token changes no word feature."""
        docs = list(docs)
        if not self.params.ignore_codes:
            return docs
        keep = [tuple(t for t in d.tokens if t[:1] not in _CODE_START or not _CODE_TOKEN_RE.fullmatch(t))
                if tokens else d.tokens for d in docs]
        return [RouteDoc(_CODE_TEXT_RE.sub(" ", d.text), k, d.category_given) for d, k in zip(docs, keep)]

    def _blocks(self, docs: Sequence[RouteDoc]) -> list[tuple[list[Any], float]]:
        p = self.params
        texts = [_SPACE_RE.sub(" ", d.text).strip() for d in docs]
        return [
            (texts, 1.0),
            ([t[:p.head_chars] for t in texts], p.head_weight),
            ([list(d.tokens) for d in docs], p.word_weight),
        ]

    def _fit_features(self, docs: Sequence[RouteDoc], unlabeled: Sequence[RouteDoc]) -> None:
        """Fit the vectorizers (and embeddings) on the labelled docs, helped by the unlabelled ones."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        p = self.params
        self._vectorizers = [
            CharNgramTfidf(p.char_ngrams, min_df=p.min_df),   # sklearn's char TF-IDF, faster (nlp.char_ngrams)
            CharNgramTfidf(p.head_ngrams, min_df=p.min_df),
            TfidfVectorizer(analyzer=_given_tokens, sublinear_tf=True, min_df=p.min_df),
        ]
        blocks = self._blocks(docs)
        extra = [list(d.tokens) for d in unlabeled] if p.unlabeled_vocabulary else []
        for i, (vec, (column, weight)) in enumerate(zip(self._vectorizers, blocks)):
            if weight > 0:
                vec.fit(column + extra if i == 2 else column)
        self._embeddings = None
        if unlabeled and p.embedding_weight > 0:
            emb = EmbeddingParams(dim=p.embedding_dim, epochs=p.embedding_epochs, seed=p.seed)
            corpus = [d.tokens for d in docs] + [d.tokens for d in unlabeled]
            self._embeddings = WordEmbeddings(emb).fit(corpus)

    def _features(self, docs: Sequence[RouteDoc]) -> Any:
        from scipy.sparse import csr_matrix, hstack

        parts = []
        for vec, (column, weight) in zip(self._vectorizers, self._blocks(docs)):
            if weight > 0:
                parts.append(vec.transform(column) * weight)
        if self._embeddings is not None:
            dense = self._embeddings.transform(d.tokens for d in docs)
            parts.append(csr_matrix(dense) * self.params.embedding_weight)
        return hstack(parts).tocsr()

    def _classifier(self, labels: Sequence[str]) -> Any:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        counts = np.unique(np.asarray(labels), return_counts=True)[1]
        folds = min(self.params.calibration_folds, int(counts.min()))
        svm = LinearSVC(C=self.params.C, class_weight="balanced", random_state=self.params.seed)
        if folds >= 2:
            return CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
        return svm  # a class with one example cannot be cross-validated: softmax of raw scores instead

    def fit(self, docs: Sequence[RouteDoc], labels: Sequence[str],
            unlabeled: Sequence[RouteDoc] | None = None) -> "RouterModel":
        """Train on labelled docs; ``unlabeled`` docs (same city, no labels) help where params say.

        The caller keeps test messages out of ``unlabeled`` (``nlp.route_unlabeled.without_overlap``).
        """
        from scipy.sparse import vstack

        if len(docs) != len(labels):
            raise ValueError(f"{len(docs)} documents but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two departments")
        docs, unlabeled = self._clean(docs), self._clean(unlabeled or ())
        self.n_unlabeled, self.n_pseudo_labels = len(unlabeled), 0
        self._fit_features(docs, unlabeled)
        X, y = self._features(docs), list(labels)
        self._clf = self._classifier(y).fit(X, y)
        self.classes_ = [str(c) for c in self._clf.classes_]
        p = self.params
        if unlabeled and p.pseudo_label_share > 0:
            Xu = self._features(unlabeled)
            picked, pseudo = pseudo_labels(self._scores(Xu), self.classes_, y, p.pseudo_label_share,
                                           p.pseudo_label_confidence)
            if picked:
                weights = np.r_[np.ones(len(y)), np.full(len(picked), p.pseudo_label_weight)]
                X2, y2 = vstack([X, Xu[picked]]).tocsr(), y + pseudo
                self._clf = self._classifier(y2).fit(X2, y2, sample_weight=weights)
                self.n_pseudo_labels = len(picked)
        return self

    def _scores(self, X: Any) -> np.ndarray:
        if hasattr(self._clf, "predict_proba"):
            return np.asarray(self._clf.predict_proba(X))
        scores = np.asarray(self._clf.decision_function(X))
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, docs: Sequence[RouteDoc]) -> np.ndarray:
        if self._clf is None:
            raise RuntimeError("the router model is not trained")
        return self._scores(self._features(self._clean(docs, tokens=False)))

    def predict(self, docs: Sequence[RouteDoc]) -> list[str]:
        proba = self.predict_proba(docs)
        return [self.classes_[i] for i in proba.argmax(axis=1)]


# ---------------------------------------------------------------------------------------- router
class Router:
    """Rules, then the model, then the triage queue: one ``RouteDecision`` per document."""

    def __init__(self, rules: DepartmentRules, model: RouterModel | None = None, threshold: float = 0.55,
                 triage_queue: str = "待人工分派", candidates: int = 3, use_given_category: bool = True,
                 keywords_override: bool = False) -> None:
        self.rules = rules
        self.model = model
        self.threshold = threshold
        self.triage_queue = triage_queue
        self.n_candidates = candidates
        self.use_given_category = use_given_category
        self.keywords_override = keywords_override

    @classmethod
    def from_config(cls, config: "Config", model: RouterModel | None = None) -> "Router":
        r = config.routing
        return cls(DepartmentRules.from_config(config), model, threshold=r.confidence_threshold,
                   triage_queue=r.triage_queue, candidates=r.candidates,
                   use_given_category=r.use_given_category, keywords_override=r.keywords_override)

    def _rule_decision(self, doc: RouteDoc) -> RouteDecision | None:
        if self.use_given_category:
            dept = self.rules.department_for(doc.category_given)
            if dept:
                return RouteDecision(dept, 1.0, RULE, [{"department": dept, "score": 1.0}],
                                     (doc.category_given or "",))
        hit = self.rules.explicit(doc.text)
        if hit:
            return RouteDecision(hit[0], 1.0, RULE, [{"department": hit[0], "score": 1.0}], hit[1])
        if self.keywords_override or self.model is None:
            return self._keyword_decision(doc)
        return None

    def _keyword_decision(self, doc: RouteDoc) -> RouteDecision | None:
        """The department whose keywords dominate; None (model or triage decides) when none or a tie."""
        hits = self.rules.keyword_hits(doc.text)
        if not hits:
            return None
        total = sum(len(w) for w in hits.values())
        ranked = sorted(hits.items(), key=lambda kv: (-len(kv[1]), self.rules.names.index(kv[0])))
        cands = [{"department": d, "score": round(len(w) / total, 4)} for d, w in ranked[:self.n_candidates]]
        best, words = ranked[0]
        share = len(words) / total
        tied = len(ranked) > 1 and len(ranked[1][1]) == len(words)
        if tied or share < self.threshold:
            return RouteDecision(self.triage_queue, round(share, 4), TRIAGE, cands, words) \
                if self.model is None else None
        return RouteDecision(best, round(share, 4), RULE, cands, words)

    def route_many(self, docs: Sequence[RouteDoc]) -> list[RouteDecision]:
        out: list[RouteDecision | None] = [self._rule_decision(d) for d in docs]
        todo = [i for i, d in enumerate(out) if d is None]
        if todo and self.model is not None:
            proba = self.model.predict_proba([docs[i] for i in todo])
            classes = self.model.classes_
            for i, row in zip(todo, proba):
                order = np.argsort(-row)[:self.n_candidates]
                cands = [{"department": classes[j], "score": round(float(row[j]), 4)} for j in order]
                best, conf = cands[0]["department"], float(row[order[0]])
                if conf >= self.threshold:
                    out[i] = RouteDecision(best, round(conf, 4), MODEL, cands)
                else:
                    out[i] = RouteDecision(self.triage_queue, round(conf, 4), TRIAGE, cands)
        return [d if d is not None else RouteDecision(self.triage_queue, 0.0, TRIAGE, []) for d in out]

    def route(self, doc: RouteDoc) -> RouteDecision:
        return self.route_many([doc])[0]


def train_router(texts: Sequence[str], labels: Sequence[str], tokens: Iterable[Sequence[str]],
                 rules: DepartmentRules | None = None, params: RouterModelParams | None = None,
                 unlabeled: Sequence[RouteDoc] | None = None) -> RouterModel:
    """Fit a ``RouterModel``; labels map to configured departments when ``rules`` know them."""
    mapped = [rules.map_label(str(l)) if rules else str(l).strip() for l in labels]
    docs = [RouteDoc(t, tuple(tok)) for t, tok in zip(texts, tokens)]
    return RouterModel(params).fit(docs, mapped, unlabeled=unlabeled)
