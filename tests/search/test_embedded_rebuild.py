"""The embedded rebuild fills a fresh file and copies it over the live index in one step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from search.backends.embedded import EmbeddedBackend


def docs(n: int, word: str) -> list[dict]:
    return [{"id": f"d{i}", "kind": "demand", "title": f"{word}问题", "content": f"小区{word}扰民第{i}次",
             "received_at": "2026-11-02T09:00:00+08:00", "open": True} for i in range(n)]


@pytest.fixture
def backend(tmp_path: Path, segmenter) -> EmbeddedBackend:
    b = EmbeddedBackend(tmp_path / "search" / "embedded.db", segmenter)
    b.rebuild(iter(docs(30, "噪音")))
    return b


def test_the_rebuilt_index_is_in_wal_mode_with_no_leftovers(backend):
    report = backend.rebuild(iter(docs(50, "停水")))
    assert len(report.indexed) == 50 and backend.count() == 50
    with sqlite3.connect(backend.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not backend.path.with_name(backend.path.name + ".rebuild").exists()
    wal = Path(str(backend.path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0   # checkpointed: the copy does not linger in the WAL


def test_a_reader_keeps_the_old_index_until_the_new_one_is_whole(backend):
    reader = sqlite3.connect(backend.path, isolation_level=None)
    seen_during: list[int] = []

    def stream():
        for i, d in enumerate(docs(40, "停水")):
            if i == 20:   # halfway through the new documents
                seen_during.append(reader.execute("SELECT count(*) FROM docs").fetchone()[0])
            yield d

    backend.rebuild(stream())
    assert seen_during == [30]
    assert reader.execute("SELECT count(*) FROM docs").fetchone()[0] == 40
    reader.close()


def test_a_rebuild_that_fails_midway_leaves_the_old_index(backend):
    def broken():
        yield from docs(10, "停水")
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(broken())
    assert backend.count() == 30
    assert not backend.path.with_name(backend.path.name + ".rebuild").exists()
