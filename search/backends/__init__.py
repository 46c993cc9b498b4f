"""Search backends behind one query model: Elasticsearch (scale-out) and SQLite FTS5 (embedded)."""
