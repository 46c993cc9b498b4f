"""Opening a second engine on a SQLite file must not drop the locks of a connection already open.

POSIX locks belong to the process: closing any descriptor of the file releases all of them. An
engine that opened and closed the database file to set its mode let another process write under
a transaction held here (found by the Elasticsearch outage drill as "database disk image is malformed").
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from suqiu.store.engine import make_engine

PROBE = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM t").fetchone()
c.close()   # the last connection to close checkpoints and deletes the WAL file
"""


def another_process_opens_and_closes(path: Path) -> None:
    subprocess.run([sys.executable, "-c", PROBE, str(path)], check=True, timeout=60)


def test_a_second_engine_leaves_the_first_ones_connection_its_locks(tmp_path: Path):
    db = tmp_path / "suqiu.db"
    wal = db.with_name(db.name + "-wal")
    url = f"sqlite:///{db}"
    first = make_engine(url)
    with first.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
        another_process_opens_and_closes(db)
        assert wal.exists(), "an open connection here keeps the WAL for itself"
        make_engine(url).dispose()           # e.g. a drill or a status command opening its own store
        another_process_opens_and_closes(db)
        assert wal.exists(), "the first connection lost its lock: another process took it for the last one"
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    first.dispose()


def test_a_new_database_file_is_owner_only(tmp_path: Path):
    db = tmp_path / "new" / "suqiu.db"
    make_engine(f"sqlite:///{db}").dispose()
    assert db.stat().st_mode & 0o777 == 0o600
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
