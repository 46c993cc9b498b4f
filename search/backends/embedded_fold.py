"""Folding near-duplicates in the embedded backend: one hit per ``dup_group``, SQL only.

The page is read in the query's own order, keeping each group's first row (the group's best hit
in that order, the one Elasticsearch's ``collapse`` shows too) until the page is full; SQLite walks
the time index for time order, so a first page costs a few pages of rows, not the whole match set.
How many of each shown group matched is one ``GROUP BY`` over the page's groups, and the number of
groups one ``count(DISTINCT …)`` over the same WHERE. A demand without a group counts as its own
(``coalesce(dup_group, id)``), as in the index documents.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

GROUP_SQL = "coalesce(d.dup_group, d.id)"
BATCH = 500


def count_groups(conn: sqlite3.Connection, source: str, where: str, params: Sequence[Any]) -> int:
    """Distinct near-duplicate groups among the matches."""
    row = conn.execute(f"SELECT count(DISTINCT {GROUP_SQL}) FROM {source} WHERE {where}", params).fetchone()
    return int(row[0])


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
        f"SELECT {GROUP_SQL} AS g, count(*) FROM {source} WHERE {where} AND {GROUP_SQL} IN "
        f"({', '.join('?' * len(groups))}) GROUP BY g", (*params, *groups)).fetchall())
    return [(rowid, sc, int(counts.get(g, 1))) for rowid, sc, g in page]
