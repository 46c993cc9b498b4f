"""The embedded index's tables: created on a fresh file, columns added to an older one in place.

``docs`` holds each document's filter columns and its stored JSON; ``fts`` (FTS5) its pre-segmented
``seg`` and one-token-per-ideograph ``chars`` text, paired by rowid.
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
    return added
