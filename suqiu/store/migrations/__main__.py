"""Write the next revision from what ``schema.py`` changed since the newest one:

    python -m suqiu.store.migrations revision -m "what changed" [--rev-id 0003_short_name]

It builds a throw-away SQLite database by running every revision from the baseline, compares it
with ``schema.metadata`` (alembic autogenerate), writes the difference under ``versions/`` and sets
``HEAD`` in ``__init__.py``. Review the file: autogenerate sees added and dropped tables, columns
and indexes, not renames or data moves; split a generated function over 60 lines (the architecture
test). To regenerate this release's revision from the previous
release, delete it first (``versions/0002_this_release.py``) and pass ``--rev-id 0002_this_release``.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from suqiu.store.engine import make_engine
from suqiu.store.migrations import HERE, alembic_config, migrating, revisions


def write_revision(message: str, rev_id: str | None = None) -> str:
    """The new revision's id (its file is under versions/)."""
    from alembic import command
    revisions.cache_clear()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'at-head.db'}")
        with migrating(engine) as conn:
            cfg = alembic_config(conn)
            command.upgrade(cfg, "head")
            script = command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()
    new = script.revision if not isinstance(script, list) else script[0].revision
    init = HERE / "__init__.py"
    init.write_text(re.sub(r'^HEAD = ".*"$', f'HEAD = "{new}"', init.read_text(encoding="utf-8"), count=1,
                           flags=re.M), encoding="utf-8")
    return new


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m suqiu.store.migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    rev = sub.add_parser("revision", help="write the next revision from schema.py")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--rev-id", default=None)
    args = parser.parse_args()
    print(f"wrote revision {write_revision(args.message, args.rev_id)} under {HERE / 'versions'}")


if __name__ == "__main__":
    main()
