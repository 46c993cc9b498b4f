"""Named blobs: state every worker reaches through the store (``suqiu.state`` builds on these).

Keys are paths (``models/router/v0001/model.joblib``); a put replaces the blob in one upsert, a
create-only put keeps whichever writer came first.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import now_local, to_db_time


class BlobsMixin(StoreBase):
    """The ``blobs`` table."""

    def put_blob(self, key: str, data: bytes, create_only: bool = False) -> bool:
        """Store ``data`` under ``key``; False when ``create_only`` and the key existed."""
        t = schema.blobs
        row = {"key": key, "data": data, "sha256": hashlib.sha256(data).hexdigest(),
               "updated_at": to_db_time(now_local())}
        stmt = self.insert(t).values(**row)
        stmt = (stmt.on_conflict_do_nothing(index_elements=["key"]) if create_only else
                stmt.on_conflict_do_update(index_elements=["key"], set_={k: stmt.excluded[k] for k in row if k != "key"}))
        with self.begin() as conn:
            return conn.execute(stmt.returning(t.c.key)).first() is not None

    def get_blob(self, key: str) -> bytes | None:
        t = schema.blobs
        with self.engine.connect() as conn:
            return conn.execute(select(t.c.data).where(t.c.key == key)).scalar()

    def blob_keys(self, prefix: str) -> list[str]:
        """Every key that starts with ``prefix``, sorted."""
        t = schema.blobs
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.c.key).where(t.c.key.startswith(prefix, autoescape=True))
                                     .order_by(t.c.key)).scalars())

    def delete_blobs(self, keys: list[str]) -> None:
        t = schema.blobs
        with self.begin() as conn:
            for i in range(0, len(keys), 500):
                conn.execute(t.delete().where(t.c.key.in_(keys[i:i + 500])))
