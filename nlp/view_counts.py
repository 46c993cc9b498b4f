"""The weekly counts of every forecast subject (``nlp.forecast_views.weekly_counts``), kept between
views builds. A forecast reads the whole history's weekly series; an incremental build reads only
a few weeks again, so it counts those weeks and takes every other week from the last build.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Subject = tuple[str, str]          # (dimension, key), as ``weekly_counts`` keys them
_SEP = "\x1f"


@dataclass
class SubjectCounts:
    """Counts per ISO week of every subject, and each subject's label."""

    counts: dict[Subject, Counter[str]] = field(default_factory=dict)
    labels: dict[Subject, str] = field(default_factory=dict)

    def weeks(self) -> set[str]:
        return {w for c in self.counts.values() for w in c}

    def merged(self, fresh: "SubjectCounts", redone: Iterable[str]) -> "SubjectCounts":
        """These counts with every week of ``redone`` replaced by ``fresh``'s (which counted exactly
        those weeks); a subject with no week left is dropped. Labels known here are kept, so a
        subject's label does not change between builds."""
        redo = set(redone)
        out = SubjectCounts()
        for subject in [*self.counts, *(s for s in fresh.counts if s not in self.counts)]:
            kept = Counter({w: n for w, n in self.counts.get(subject, Counter()).items() if w not in redo})
            kept.update({w: n for w, n in fresh.counts.get(subject, Counter()).items() if w in redo})
            if kept:
                out.counts[subject] = kept
        taken = {label for s, label in self.labels.items() if s in out.counts}
        for subject in out.counts:
            label = self.labels.get(subject)
            if label is None:
                label = fresh.labels[subject]
                label = label if label not in taken else f"{label}（{subject[1]}）"
                taken.add(label)
            out.labels[subject] = label
        return out

    def to_json(self) -> bytes:
        return json.dumps({"counts": {_SEP.join(s): dict(c) for s, c in self.counts.items()},
                           "labels": {_SEP.join(s): v for s, v in self.labels.items()}},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> "SubjectCounts":
        data = json.loads(raw.decode("utf-8"))
        return cls({_subject(k): Counter(v) for k, v in data["counts"].items()},
                   {_subject(k): v for k, v in data["labels"].items()})

    @classmethod
    def of(cls, counts: Mapping[Subject, Counter[str]], labels: Mapping[Subject, str]) -> "SubjectCounts":
        return cls(dict(counts), dict(labels))


def _subject(key: str) -> Subject:
    dim, _, value = key.partition(_SEP)
    return dim, value
