"""Which weeks a views build redoes, and which demands it reads to redo them.

The first build, and any build after the topics' names or the views' settings changed, reads the
whole history. Afterwards a build redoes only the weeks whose demands changed since the last build
(a record, its analysis or its route), so a day's new demands cost their own week and the
hotspots' window, not the history:

- profiles of a changed week, each ``change`` against the previous week's volume as the last build
  kept it (``nlp.view_counts``); the week after a changed one keeps its profiles with that
  ``change`` brought up to date (``patch_weeks``);
- surges and urgent clusters of a changed week, the baselines from the weekly counts kept;
- hotspots always, from the ``window_days`` before the latest demand (``nlp.hotspots``);
- forecasts from the weekly counts kept, the weeks read counted again.

A changed week can also move the baselines of the ``baseline_weeks`` after it: their warnings are
brought up to date by the next full build. So are the weeks before the hotspots' window in which
fewer than ``OLD_WEEK_MIN`` demands changed: the text stage relabels a few old near-duplicates
every day (56 demands in 41 weeks on a day of a million-demand store), and redoing each such week
would read half the history for them. A late export of old demands changes many at once and is
redone at once. A build that would redo more than ``MAX_CHANGED``
demands, or whose last full build is older than ``FULL_EVERY``, is a full build again; so is one
after new topic names or settings. One resubmission whose original lies in a week not read counts
in its own week until then.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from suqiu.model import SHANGHAI
from suqiu.weeks import iso_week, shift_week, week_start

MAX_CHANGED = 200_000
FULL_EVERY = timedelta(days=7)
OLD_WEEK_MIN = 20     # changed demands that make a week before the hotspots' window worth redoing now


@dataclass(frozen=True)
class ViewPlan:
    """A full build (``spans`` None) or the weeks an incremental one reads, redoes and patches."""

    reason: str
    spans: list[tuple[datetime, datetime]] | None = None
    read_weeks: frozenset[str] = frozenset()
    redo_weeks: frozenset[str] = frozenset()
    patch_weeks: frozenset[str] = frozenset()

    @property
    def full(self) -> bool:
        return self.spans is None


def fingerprint(*parts: str) -> str:
    """What a build depends on besides the demands (topic names, settings): a change means a full build."""
    return hashlib.sha1("\x1e".join(parts).encode("utf-8")).hexdigest()


def incremental_plan(changed: Iterable[datetime], latest: datetime, window_days: int) -> ViewPlan:
    """The weeks to read, redo and patch after the demands received at ``changed`` changed;
    ``latest`` is the newest plausible demand (the hotspots' window ends there). A week before the
    window with fewer than ``OLD_WEEK_MIN`` changed demands waits for the next full build."""
    last_week = iso_week(latest)
    first_hot = iso_week(latest - timedelta(days=window_days)) if window_days else last_week
    per_week = Counter(w for w in (iso_week(t) for t in changed) if w <= last_week)
    redo = {w for w, n in per_week.items() if w >= first_hot or n >= OLD_WEEK_MIN}
    waiting = len(per_week) - len(redo)
    patch = {shift_week(w, 1) for w in redo} - redo
    patch = {w for w in patch if w <= last_week}
    read = set(redo)
    week = first_hot if window_days else None
    while week is not None and week <= last_week:
        read.add(week)
        week = shift_week(week, 1)
    reason = f"{len(redo)} 周有变化" + (f"，另有 {waiting} 个早期周的零星变化待全量构建" if waiting else "")
    return ViewPlan(reason, spans(read), frozenset(read), frozenset(redo), frozenset(patch))


def spans(weeks: Iterable[str]) -> list[tuple[datetime, datetime]]:
    """Consecutive ISO weeks merged into [start, end) moments (Asia/Shanghai)."""
    out: list[tuple[datetime, datetime]] = []
    for week in sorted(weeks):
        start = datetime.combine(week_start(week), time(), SHANGHAI)
        end = start + timedelta(days=7)
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
