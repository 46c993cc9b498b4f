"""The embedded index's tables: created on a fresh file, columns added to an older one in place.

``docs`` holds each document's filter columns and its stored JSON; ``fts`` (FTS5) its pre-segmented
``seg`` and one-token-per-ideograph ``chars`` text, paired by rowid. ``facet_rows`` holds each
document's facet values as small integers (``codes``: facet, value, code), for text searches to
count facets over (``embedded_facts`` says why); it is filled from ``docs`` after each write
batch for its rowids, and whole when an index written before it (or before a column it lacks) is
opened: one pass over ``docs``, ~20 s at a million documents, instead of a rebuild.
"""

from __future__ import annotations

import sqlite3

COLUMNS = ("id", "kind", "source", "channel", "received_at", "district", "department", "category", "status",
           "sentiment", "urgency", "topic", "heat", "due_at", "open", "dimension", "week", "publication",
           "dup_group", "lon", "lat")
# columns added after the first release: an older file gets them with ALTER TABLE and is rebuilt
ADDED_COLUMNS = {"dimension": "TEXT", "week": "TEXT", "publication": "TEXT", "dup_group": "TEXT",
                 "lon": "REAL", "lat": "REAL"}
# indexes on added columns, created once the column exists
ADDED_INDEXES = ("CREATE INDEX IF NOT EXISTS ix_docs_dup_group ON docs (dup_group)",
                 "CREATE INDEX IF NOT EXISTS ix_docs_kind_dup_group ON docs (kind, dup_group)")
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT, source TEXT, channel TEXT, received_at TEXT, district TEXT, department TEXT, category TEXT,
    status TEXT, sentiment TEXT, urgency TEXT, topic INTEGER, heat REAL, due_at TEXT, open INTEGER,
    dimension TEXT, week TEXT, publication TEXT, dup_group TEXT, lon REAL, lat REAL,
    doc TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(seg, chars, tokenize = 'unicode61 remove_diacritics 0');
CREATE INDEX IF NOT EXISTS ix_docs_received ON docs (received_at);
CREATE INDEX IF NOT EXISTS ix_docs_time_order ON docs (received_at DESC, id ASC);
CREATE INDEX IF NOT EXISTS ix_docs_heat_order ON docs (heat DESC, received_at DESC, id ASC);
CREATE INDEX IF NOT EXISTS ix_docs_department ON docs (department, received_at);
CREATE INDEX IF NOT EXISTS ix_docs_district ON docs (district);
CREATE INDEX IF NOT EXISTS ix_docs_source ON docs (source);
CREATE INDEX IF NOT EXISTS ix_docs_status ON docs (status);
CREATE INDEX IF NOT EXISTS ix_docs_heat ON docs (heat);
CREATE INDEX IF NOT EXISTS ix_docs_kind ON docs (kind);
"""
# facet name -> its value as SQL over ``docs d``
FACET_SQL = {
    "department": "d.department", "district": "d.district", "source": "d.source", "channel": "d.channel",
    "topic": "CAST(d.topic AS TEXT)", "sentiment": "d.sentiment", "urgency": "d.urgency", "status": "d.status",
    "category": "d.category", "received_month": "substr(d.received_at, 1, 7)", "kind": "d.kind",
    "dimension": "d.dimension",
}
CODE_COLUMNS = tuple(f"c_{f}" for f in FACET_SQL)
FACET_ROWS_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS facet_rows (rowid INTEGER PRIMARY KEY, {', '.join(f'{c} INTEGER' for c in CODE_COLUMNS)})",
    ("CREATE TABLE IF NOT EXISTS codes (facet TEXT NOT NULL, value TEXT NOT NULL, code INTEGER NOT NULL, "
     "PRIMARY KEY (facet, value)) WITHOUT ROWID"),
)
FILL_CHUNK = 10_000
GEO_INDEX = "CREATE INDEX IF NOT EXISTS ix_docs_geo ON docs (lat, lon)"   # after ADDED_COLUMNS on old files


def prepare_schema(conn: sqlite3.Connection) -> bool:
    """Create what is missing; True when a column had to be added (rows written before it lack it)."""
    conn.executescript(SCHEMA)
    have = {row[1] for row in conn.execute("PRAGMA table_info(docs)")}
    added = False
    for column, sql_type in ADDED_COLUMNS.items():
        if column not in have:
            conn.execute(f"ALTER TABLE docs ADD COLUMN {column} {sql_type}")
            added = True
    for statement in ADDED_INDEXES:
        conn.execute(statement)
    conn.execute(GEO_INDEX)
    prepare_facet_rows(conn)
    return added


def prepare_facet_rows(conn: sqlite3.Connection) -> None:
    """Create ``facet_rows`` and ``codes``; a ``facet_rows`` missing, or lacking a column, is filled
    from ``docs`` (under the write lock, checked again there: another process may have just done it)."""
    if _facet_rows_complete(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _facet_rows_complete(conn):
            conn.execute("DROP TABLE IF EXISTS facet_rows")
            for statement in FACET_ROWS_SCHEMA:
                conn.execute(statement)
            lo, hi = conn.execute("SELECT min(rowid), max(rowid) FROM docs").fetchone()
            if lo is not None:
                fill_facet_rows(conn, lo, hi)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _facet_rows_complete(conn: sqlite3.Connection) -> bool:
    return {row[1] for row in conn.execute("PRAGMA table_info(facet_rows)")} >= set(CODE_COLUMNS)


def fill_facet_rows(conn: sqlite3.Connection, lo: int, hi: int) -> None:
    """Code the facet values of docs rows ``lo``…``hi`` into ``facet_rows``, one pass over ``docs``;
    a value seen for the first time gets its facet's next code. No value (NULL or empty): NULL."""
    codes: dict[str, dict[str, int]] = {f: {} for f in FACET_SQL}
    for facet, value, code in conn.execute("SELECT facet, value, code FROM codes"):
        codes[facet][value] = int(code)
    known = {f: len(c) for f, c in codes.items()}
    cur = conn.execute(f"SELECT d.rowid, {', '.join(FACET_SQL.values())} FROM docs d WHERE d.rowid BETWEEN ? AND ?",
                       (lo, hi))
    while batch := cur.fetchmany(FILL_CHUNK):
        rows = []
        for rowid, *values in batch:
            row = [rowid]
            for facet, value in zip(FACET_SQL, values):
                if value is None or value == "":
                    row.append(None)
                    continue
                by_value = codes[facet]
                row.append(by_value.setdefault(value, len(by_value) + 1))
            rows.append(row)
        conn.executemany(f"INSERT INTO facet_rows (rowid, {', '.join(CODE_COLUMNS)}) "
                         f"VALUES ({', '.join('?' * (len(CODE_COLUMNS) + 1))})", rows)
    conn.executemany("INSERT INTO codes (facet, value, code) VALUES (?, ?, ?)",
                     [(f, v, c) for f, by_value in codes.items() for v, c in by_value.items() if c > known[f]])
