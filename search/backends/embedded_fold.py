"""Counting in the embedded backend: totals, facets and folded near-duplicates (one hit per
``dup_group``), SQL only.

The page is read in the query's own order, keeping each group's first row (the group's best hit
in that order, the one Elasticsearch's ``collapse`` shows too) until the page is full; SQLite walks
the time index for time order, so a first page costs a few pages of rows, not the whole match set.
How many of each shown group matched is one ``GROUP BY`` over the page's groups, and the number of
groups one ``count(DISTINCT …)`` over the same WHERE; both read the ``dup_group`` indexes. Every
demand document carries its group (alone: its own id); a row without one, from an index written
before groups were indexed, counts as a group of its own.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from search.backends.embedded_schema import FACET_SQL
from search.query import KINDS, sort_facet

GROUP_SQL = "coalesce(d.dup_group, d.id)"
BATCH = 500


COUNT_SQL = "count(DISTINCT d.dup_group) + total(d.dup_group IS NULL)"


def count_groups(conn: sqlite3.Connection, source: str, where: str, params: Sequence[Any]) -> int:
    """Distinct near-duplicate groups among the matches."""
    return int(conn.execute(f"SELECT {COUNT_SQL} FROM {source} WHERE {where}", params).fetchone()[0])


def count_groups_of_kinds(conn: sqlite3.Connection, kinds: Sequence[str]) -> int:
    """Distinct groups when nothing but ``kind`` restricts the query: read from the (kind, dup_group) index."""
    marks = ", ".join("?" * len(kinds))
    return int(conn.execute(f"SELECT {COUNT_SQL} FROM docs d WHERE d.kind IN ({marks})", list(kinds)).fetchone()[0])


def folded_page(conn: sqlite3.Connection, source: str, where: str, params: Sequence[Any], order: str,
                score: str, offset: int, size: int) -> list[tuple[int, Any, int]]:
    """(rowid, score, matching members of its group) of the page's groups, in order."""
    if not size:
        return []
    cur = conn.execute(f"SELECT d.rowid, {score}, {GROUP_SQL} FROM {source} WHERE {where} ORDER BY {order}",
                       params)
    seen: set[str] = set()
    firsts: list[tuple[int, Any, str]] = []
    while len(firsts) < offset + size and (batch := cur.fetchmany(BATCH)):
        for rowid, sc, group in batch:
            if group in seen:
                continue
            seen.add(group)
            firsts.append((rowid, sc, group))
            if len(firsts) == offset + size:
                break
    cur.close()
    page = firsts[offset:]
    if not page:
        return []
    groups = [g for _, _, g in page]
    counts = dict(conn.execute(
        f"SELECT d.dup_group, count(*) FROM {source} WHERE {where} AND d.dup_group IN "
        f"({', '.join('?' * len(groups))}) GROUP BY d.dup_group", (*params, *groups)).fetchall())
    return [(rowid, sc, int(counts.get(g, 1))) for rowid, sc, g in page]


def count_and_facets(conn: sqlite3.Connection, facet_sql: Mapping[str, str], source: str, where: str,
                     params: Sequence[Any], fold: bool = False) -> tuple[int, dict[str, list[dict]], int | None]:
    """Total, every facet (name -> its SQL expression) and, folding, the number of near-duplicate
    groups, from one pass over the matches: FTS5 is evaluated once, not per facet."""
    names = list(facet_sql)
    if not names:
        total = int(conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0])
        return total, {}, count_groups(conn, source, where, params) if fold else None
    exprs = ", ".join([facet_sql[n] for n in names] + ([GROUP_SQL] if fold else []))
    counters: list[Counter[Any]] = [Counter() for _ in names]
    groups: set[str] = set()
    total = 0
    cur = conn.execute(f"SELECT {exprs} FROM {source} WHERE {where}", params)
    while batch := cur.fetchmany(5000):
        total += len(batch)
        for i, counter in enumerate(counters):
            counter.update(row[i] for row in batch)
        if fold:
            groups.update(row[-1] for row in batch)
    facets = {name: sort_facet({str(v): n for v, n in counter.items() if v is not None and v != ""})
              for name, counter in zip(names, counters)}
    return total, facets, len(groups) if fold else None


def count_by_kind(conn: sqlite3.Connection, names: Sequence[str],
                  kinds: Sequence[str]) -> tuple[int, dict[str, list[dict]]]:
    """Total and facets when only ``kind`` restricts the query: SQLite counts and groups from its
    indexes faster than a Python pass. With demands: all rows minus the few of the other kinds."""

    def grouped(where: str, params: Sequence[Any]) -> tuple[int, dict[str, Counter[str]]]:
        total = int(conn.execute(f"SELECT count(*) FROM docs d WHERE {where}", params).fetchone()[0])
        out: dict[str, Counter[str]] = {}
        for name in names:
            rows = conn.execute(f"SELECT {FACET_SQL[name]} AS v, count(*) FROM docs d WHERE {where} GROUP BY v",
                                params).fetchall()
            out[name] = Counter({str(v): int(n) for v, n in rows if v is not None and v != ""})
        return total, out

    others = [k for k in KINDS if k not in kinds]
    if "demand" in kinds:
        total, counts = grouped("1", ())
        if others:
            minus_total, minus = grouped(f"d.kind IN ({', '.join('?' * len(others))})", others)
            total -= minus_total
            for name in names:
                counts[name].subtract(minus[name])
    else:
        total, counts = grouped(f"d.kind IN ({', '.join('?' * len(kinds))})", list(kinds))
    return total, {name: sort_facet(dict(counts[name])) for name in names}
