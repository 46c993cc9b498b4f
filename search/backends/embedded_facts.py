"""Facets and relevance for text searches in the embedded backend, over ``facet_rows``.

FTS5 yields a text query's matches in rowid order and each was joined to its ``docs`` row for the
facets. A ``docs`` row carries the stored JSON (~2.7 KB, most of a page), so at a million demands
the join alone read ~100,000 pages for 110,000 matches, and Python then counted six strings a row.
``facet_rows`` holds only each facet's value as a small integer (``codes``; ~27 bytes a row, 27 MB
at a million); the codes of the asked facets are combined into one integer per row in SQL (mixed
radix), so the counts are one ``GROUP BY`` over integers and Python reads a few thousand (key,
count) rows (measured on the 1M index, the six default facets of 施工, 110,000 matches: 390 ms
joined to ``docs`` and counted in Python, 116 ms this way). Queries restricted by nothing but
``kind`` (office searches) join ``facet_rows`` alone; filtered ones still join ``docs`` for their
filters.

Relevance for such plain queries is ranked by FTS5 alone (``top_ranked``), without a join per match.
The tables and their filling are in ``embedded_schema``.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import Any

from search.query import sort_facet

MAX_CANDIDATES = 50_000   # past this many, letting SQLite sort every match is no slower
KEY_LIMIT = 2 ** 62       # one combined key stays a positive 64-bit integer


def read_codes(conn: sqlite3.Connection, names: Sequence[str]) -> dict[str, dict[int, str]]:
    """facet -> code -> value, for the facets asked."""
    out: dict[str, dict[int, str]] = {n: {} for n in names}
    for facet, value, code in conn.execute(
            f"SELECT facet, value, code FROM codes WHERE facet IN ({', '.join('?' * len(names))})", list(names)):
        out[facet][int(code)] = value
    return out


def key_parts(names: Sequence[str], radix: dict[str, int]) -> list[list[str]]:
    """The facets split into runs whose combined key (product of their radices) fits ``KEY_LIMIT``."""
    parts: list[list[str]] = []
    product = KEY_LIMIT
    for name in names:
        if product * radix[name] >= KEY_LIMIT:
            parts.append([])
            product = 1
        parts[-1].append(name)
        product *= radix[name]
    return parts


def coded_facets(conn: sqlite3.Connection, names: Sequence[str], source: str, where: str,
                 params: Sequence[Any]) -> tuple[int, dict[str, list[dict]]]:
    """Total and facets of a text query whose ``source`` has ``facet_rows c``: one GROUP BY over the
    combined codes."""
    if not names:
        return int(conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]), {}
    values = read_codes(conn, names)
    radix = {n: max(values[n], default=0) + 1 for n in names}   # 0: no value (NULL or empty)
    parts = key_parts(names, radix)
    keys = []
    for part in parts:
        expr = "coalesce(c.c_" + part[0] + ", 0)"
        for name in part[1:]:
            expr = f"({expr}) * {radix[name]} + coalesce(c.c_{name}, 0)"
        keys.append(expr)
    marks = ", ".join(f"k{i}" for i in range(len(keys)))
    rows = conn.execute(f"SELECT {', '.join(f'{k} AS k{i}' for i, k in enumerate(keys))}, count(*) "
                        f"FROM {source} WHERE {where} GROUP BY {marks}", params).fetchall()
    counters: dict[str, Counter[int]] = {n: Counter() for n in names}
    total = 0
    for row in rows:
        n = int(row[-1])
        total += n
        for part, key in zip(parts, row):
            for name in reversed(part):
                key, code = divmod(key, radix[name])
                counters[name][code] += n
    facets = {name: sort_facet({values[name][c]: k for c, k in counters[name].items() if c in values[name]})
              for name in names}
    return total, facets


def top_ranked(conn: sqlite3.Connection, match: str, rest: str, params: Sequence[Any], need: int,
               fold: bool = False) -> list[tuple[int, float, str]] | None:
    """The first ``need`` (rowid, score, group) in relevance order (bm25, then newest, then id) when
    only ``kind`` restricts the rows beyond the text; folding, only each near-duplicate group's
    first. FTS5 ranks its matches alone (no join per match: 158 ms instead of 341 ms joined to
    ``docs``, 施工 at 1M) and only the best ``limit`` are read from ``docs``, for ``rest`` (over
    ``docs d``), the ties' order and the groups.

    Exact: every match scoring below the last candidate's score is a candidate (so is a group's
    first member when another member is), so the page is right once its last row scores below
    that (or FTS5 had no more matches); otherwise (ties at the edge, or candidates ``rest`` turned
    away) four times as many are tried, and past ``MAX_CANDIDATES`` it is None and the caller lets
    SQLite sort every match."""
    limit = 2 * need + 50
    while limit <= MAX_CANDIDATES:
        candidates = conn.execute("SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?",
                                  (match, limit)).fetchall()
        score = dict(candidates)
        rows = conn.execute(f"SELECT d.rowid, d.received_at, d.id, coalesce(d.dup_group, d.id) FROM docs d "
                            f"WHERE d.rowid IN (SELECT value FROM json_each(?)) AND {rest}",
                            (json.dumps(list(score)), *params)).fetchall()
        rows.sort(key=lambda r: r[2])                                       # id ascending
        rows.sort(key=lambda r: (r[1] is not None, r[1] or ""), reverse=True)  # newest first, no date last
        rows.sort(key=lambda r: score[r[0]])                                # bm25 ascending: best first
        if fold:
            seen: set[str] = set()
            rows = [r for r in rows if not (r[3] in seen or seen.add(r[3]))]
        if len(candidates) < limit or (len(rows) >= need and score[rows[need - 1][0]] < candidates[-1][1]):
            return [(r[0], -score[r[0]], r[3]) for r in rows[:need]]
        limit *= 4
    return None


def matching_members(conn: sqlite3.Connection, match: str, rest: str, params: Sequence[Any],
                     groups: Sequence[str]) -> dict[str, int]:
    """How many members of each of ``groups`` match: the members found by the ``dup_group`` index,
    each checked by FTS5 at its rowid (a pass over every match cost a second ranking)."""
    if not groups:
        return {}
    return {g: int(n) for g, n in conn.execute(
        f"SELECT d.dup_group, count(*) FROM docs d WHERE d.dup_group IN ({', '.join('?' * len(groups))}) "
        f"AND {rest} AND EXISTS (SELECT 1 FROM fts WHERE fts MATCH ? AND fts.rowid = d.rowid) "
        f"GROUP BY d.dup_group", (*groups, *params, match))}
