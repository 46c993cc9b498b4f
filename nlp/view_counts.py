"""Weekly counts a views build keeps for the next one (``ViewCounts``): the forecast subjects'
(``nlp.forecast_views.weekly_counts``), the profiles' volumes and the surge subjects'
(``nlp.early_warning.surge_counts``). A forecast reads the whole history's weekly series, a profile
its previous week, a surge its baseline weeks; an incremental build reads only the weeks it redoes,
counts those and takes every other week from the last build.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Subject = tuple[str, str]          # (dimension, key), as ``weekly_counts`` keys them
_SEP = "\x1f"


@dataclass
class SubjectCounts:
    """Counts per ISO week of every subject, and each subject's label."""

    counts: dict[Subject, Counter[str]] = field(default_factory=dict)
    labels: dict[Subject, str] = field(default_factory=dict)

    def weeks(self) -> set[str]:
        return {w for c in self.counts.values() for w in c}

    def merged(self, fresh: SubjectCounts, redone: Iterable[str]) -> SubjectCounts:
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
        if not self.labels and not fresh.labels:
            return out
        taken = {label for s, label in self.labels.items() if s in out.counts}
        for subject in out.counts:
            label = self.labels.get(subject)
            if label is None:
                label = fresh.labels.get(subject, subject[1])
                label = label if label not in taken else f"{label}（{subject[1]}）"
                taken.add(label)
            out.labels[subject] = label
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"counts": {_SEP.join(s): dict(c) for s, c in self.counts.items()},
                "labels": {_SEP.join(s): v for s, v in self.labels.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SubjectCounts:
        return cls({_subject(k): Counter(v) for k, v in data["counts"].items()},
                   {_subject(k): v for k, v in data.get("labels", {}).items()})

    @classmethod
    def of(cls, counts: Mapping[Subject, Counter[str]], labels: Mapping[Subject, str]) -> SubjectCounts:
        return cls(dict(counts), dict(labels))


def _subject(key: str) -> Subject:
    dim, _, value = key.partition(_SEP)
    return dim, value


@dataclass
class ViewCounts:
    """What a views build keeps for the next: the forecast subjects' weekly counts, every
    profile's weekly volume (a redone week's ``change`` compares with them) and the surge
    subjects' weekly distinct demands (the baselines of a redone week's warnings)."""

    forecast: SubjectCounts = field(default_factory=SubjectCounts)
    volumes: SubjectCounts = field(default_factory=SubjectCounts)
    surges: SubjectCounts = field(default_factory=SubjectCounts)

    def merged(self, fresh: ViewCounts, read: Iterable[str], redone: Iterable[str]) -> ViewCounts:
        """``fresh`` counted the demands of the weeks ``read`` and the profiles of the weeks ``redone``."""
        read = set(read)
        return ViewCounts(self.forecast.merged(fresh.forecast, read), self.volumes.merged(fresh.volumes, redone),
                          self.surges.merged(fresh.surges, read))

    def to_json(self) -> bytes:
        return json.dumps({"forecast": self.forecast.to_dict(), "volumes": self.volumes.to_dict(),
                           "surges": self.surges.to_dict()}, ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> ViewCounts:
        data = json.loads(raw.decode("utf-8"))
        return cls(*(SubjectCounts.from_dict(data[k]) for k in ("forecast", "volumes", "surges")))
