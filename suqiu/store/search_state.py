"""What the search index has acknowledged, so an index run sends only what changed.

Demands: stage ``index`` keyed by each record's ``version``. Profiles and topics (rebuilt
wholesale by their stages): the content hash of each such document the engine acknowledged.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from suqiu.store import schema
from suqiu.store.analysis import AnalysisMixin
from suqiu.store.engine import now_local, to_db_time

INDEX_STAGE = "index"


class SearchStateMixin(AnalysisMixin):
    """The ``index_aggregates`` table and the index stage."""

    def aggregate_hashes(self) -> dict[str, str]:
        t = schema.index_aggregates
        with self.engine.connect() as conn:
            return {r.id: r.hash for r in conn.execute(select(t.c.id, t.c.hash))}

    def acknowledge_aggregates(self, ids: Sequence[str], hashes: dict[str, str], kinds: dict[str, str],
                               conn: Connection | None = None) -> None:
        """Remember what the engine acknowledged, by content hash."""
        if not ids:
            return
        if conn is None:
            with self.begin() as c:
                return self.acknowledge_aggregates(ids, hashes, kinds, c)
        t, now = schema.index_aggregates, to_db_time(now_local())
        conn.execute(t.delete().where(t.c.id.in_(list(ids))))
        conn.execute(t.insert(), [{"id": i, "kind": kinds[i], "hash": hashes[i], "indexed_at": now} for i in ids])

    def forget_aggregates(self, ids: Sequence[str]) -> None:
        if ids:
            t = schema.index_aggregates
            with self.begin() as conn:
                conn.execute(t.delete().where(t.c.id.in_(list(ids))))

    def reset_index_state(self, versions: dict[str, str], aggregate_ids: Sequence[str], hashes: dict[str, str],
                          kinds: dict[str, str]) -> None:
        """After a rebuild: the store's bookkeeping is exactly what the new index acknowledged."""
        st = schema.stage_state
        with self.begin() as conn:
            conn.execute(st.delete().where(st.c.stage == INDEX_STAGE))
            self.mark_done(INDEX_STAGE, versions, conn)
            conn.execute(schema.index_aggregates.delete())
            self.acknowledge_aggregates(aggregate_ids, hashes, kinds, conn)

    def index_state_empty(self) -> bool:
        """Whether the store believes nothing is indexed (a vanished index then needs no rebuild)."""
        st = schema.stage_state
        return not (self.count(st, st.c.stage == INDEX_STAGE) or self.count(schema.index_aggregates))
