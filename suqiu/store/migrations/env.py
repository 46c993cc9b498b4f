"""alembic's environment: the store's tables, on the connection ``suqiu migrate`` passes or on
the URL given as ``-x url=…`` (else ``SUQIU_STORE_URL``) for alembic's own command line."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.engine import make_engine
from suqiu.store.migrations import migrating


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("SUQIU_STORE_URL")
    if not url:
        raise SystemExit("no store URL: pass -x url=<store URL> or set SUQIU_STORE_URL")
    return url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=schema.metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    given = context.config.attributes.get("connection")
    if context.is_offline_mode():
        context.configure(url=_url(), target_metadata=schema.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    elif given is not None:
        _run(given)
    else:
        engine = make_engine(_url())
        try:
            with migrating(engine) as conn:
                _run(conn)
        finally:
            engine.dispose()


main()
