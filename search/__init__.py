"""Search: one query model, an Elasticsearch backend and an embedded SQLite FTS5 backend."""
