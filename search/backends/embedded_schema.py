"""The embedded index's tables: created on a fresh file, columns added to an older one in place.

``docs`` holds each document's filter columns and its stored JSON; ``fts`` (FTS5) its pre-segmented
``seg`` and one-token-per-ideograph ``chars`` text, paired by rowid. ``facts`` repeats ``docs``
without the JSON plus each facet's value as a code (``codes``), for text searches to join to
(``embedded_facts`` says why); it is filled from ``docs`` by SQL, after each write batch for its
rowids and once whole when an index written before it is opened (or before a column it lacks).
"""

from __future__ import annotations

import sqlite3

COLUMNS = ("id", "kind", "source", "channel", "received_at", "district", "department", "category", "status",
           "sentiment", "urgency", "topic", "heat", "due_at", "open", "dimension", "week", "publication",
           "dup_group", "lon", "lat")
COLUMN_TYPES = {c: "TEXT" for c in COLUMNS} | {"id": "TEXT NOT NULL", "topic": "INTEGER", "heat": "REAL",
                                                "open": "INTEGER", "lon": "REAL", "lat": "REAL"}
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
# facet name -> its value as SQL over ``docs d`` (and ``facts d``: the same columns)
FACET_SQL = {
    "department": "d.department", "district": "d.district", "source": "d.source", "channel": "d.channel",
    "topic": "CAST(d.topic AS TEXT)", "sentiment": "d.sentiment", "urgency": "d.urgency", "status": "d.status",
    "category": "d.category", "received_month": "substr(d.received_at, 1, 7)", "kind": "d.kind",
    "dimension": "d.dimension",
}
KEY_LIMIT = 2 ** 62   # one combined key stays a positive 64-bit integer

FACTS_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS facts (
    rowid INTEGER PRIMARY KEY,
    {', '.join(f'{c} {COLUMN_TYPES[c]}' for c in COLUMNS)},
    {', '.join(f'c_{f} INTEGER' for f in FACET_SQL)}
);
CREATE TABLE IF NOT EXISTS codes (
    facet TEXT NOT NULL, value TEXT NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (facet, value)
) WITHOUT ROWID;
"""


def _new_codes_sql(facet: str) -> str:
    """Codes for the values of ``facet`` among facts rowids [?, ?] that have none yet, after the largest."""
    expr = FACET_SQL[facet]
    return (f"INSERT INTO codes (facet, value, code) "
            f"SELECT '{facet}', v, (SELECT coalesce(max(code), 0) FROM codes WHERE facet = '{facet}') "
            f"+ row_number() OVER (ORDER BY v) FROM (SELECT DISTINCT {expr} AS v FROM facts d "
            f"WHERE d.rowid BETWEEN ? AND ? AND coalesce({expr}, '') != '') "
            f"WHERE v NOT IN (SELECT value FROM codes WHERE facet = '{facet}')")


COPY_SQL = (f"INSERT INTO facts (rowid, {', '.join(COLUMNS)}) SELECT rowid, {', '.join(COLUMNS)} FROM docs "
            f"WHERE rowid BETWEEN ? AND ?")
CODE_SQL = ("UPDATE facts AS d SET "
            + ", ".join(f"c_{f} = (SELECT code FROM codes WHERE facet = '{f}' AND value = {e})"
                        for f, e in FACET_SQL.items())
            + " WHERE d.rowid BETWEEN ? AND ?")


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
    prepare_facts(conn)
    return added


def prepare_facts(conn: sqlite3.Connection) -> None:
    """Create ``facts`` and ``codes``; a ``facts`` missing, or lacking a column, is filled from ``docs``
    (under the write lock, checked again there: another process may have just done it)."""
    if _facts_complete(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _facts_complete(conn):
            conn.execute("DROP TABLE IF EXISTS facts")
            for statement in FACTS_SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            lo, hi = conn.execute("SELECT min(rowid), max(rowid) FROM docs").fetchone()
            if lo is not None:
                fill_facts(conn, lo, hi)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _facts_complete(conn: sqlite3.Connection) -> bool:
    have = {row[1] for row in conn.execute("PRAGMA table_info(facts)")}
    return have >= {*COLUMNS, *(f"c_{f}" for f in FACET_SQL)}


def fill_facts(conn: sqlite3.Connection, lo: int, hi: int) -> None:
    """Copy docs rows ``lo``…``hi`` into ``facts`` with their facet codes (new values get new codes):
    one pass over ``docs``, the rest over the narrow rows."""
    conn.execute(COPY_SQL, (lo, hi))
    for facet in FACET_SQL:
        conn.execute(_new_codes_sql(facet), (lo, hi))
    conn.execute(CODE_SQL, (lo, hi))
