"""The store, the configuration and the web secret are private to their owner (issue 18, item 12).

Found open: the store, the config and the outbox files were world-readable (0644).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from suqiu.installation import Installation, write_default_config
from suqiu.web.auth import load_secret


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_installation_keeps_its_files_to_its_owner(tmp_path: Path) -> None:
    old = os.umask(0o022)            # the usual umask: files would be 0644 without explicit modes
    try:
        home = tmp_path / "home"
        path, _ = write_default_config(home)
        app = Installation.load(home, environ={})
        with app.store.begin() as conn:   # a write: the WAL and SHM files exist now
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")
        secret = app.path("web") / "secret_key"
        load_secret(app)
        db = app.data_dir / "suqiu.db"
        assert _mode(path) == 0o600
        assert _mode(db) == 0o600
        for extra in (db.with_name("suqiu.db-wal"), db.with_name("suqiu.db-shm")):
            assert extra.exists() and _mode(extra) == 0o600, extra
        assert _mode(secret) == 0o600
        assert _mode(app.data_dir) == 0o700 and _mode(app.path("web")) == 0o700
        app.store.close()
    finally:
        os.umask(old)


def test_a_store_left_world_readable_by_an_earlier_release_is_tightened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_default_config(home)
    app = Installation.load(home, environ={})
    app.store.close()
    db = app.data_dir / "suqiu.db"
    db.chmod(0o644)
    (home / "suqiu.toml").chmod(0o644)
    again = Installation.load(home, environ={})
    again.store.user_rows()
    assert _mode(db) == 0o600
    write_default_config(home, force=True)
    assert _mode(home / "suqiu.toml") == 0o600
    again.store.close()
