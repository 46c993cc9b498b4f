"""Near-duplicate signatures and their LSH band hashes, looked up by key.

Every analysed record's MinHash signature (``dedup_signatures``) and its band hashes
(``dedup_bands``, one row a band) are written together, so a text run asks for the buckets of its
new records only (``band_buckets``): what it reads follows what is new, not the history.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import func

from suqiu.store import schema
from suqiu.store.base import StoreBase
from suqiu.store.engine import from_db_time, now_local, to_db_time

CHUNK = 500   # keys or ids per statement
BAND_KEY_INDEX = next(i for i in schema.dedup_bands.indexes if i.name == "ix_dedup_bands_key")


def _chunks(items: Collection[Any]) -> Iterator[list[Any]]:
    ordered = sorted(set(items))
    yield from (ordered[i:i + CHUNK] for i in range(0, len(ordered), CHUNK))


class DedupMixin(StoreBase):
    """The ``dedup_signatures`` and ``dedup_bands`` tables."""

    def signature_page(self, after: str, limit: int = 2000) -> list[Any]:
        """Analysed records after ``after`` in id order with group and signature, no texts: short
        reads, so SQLite can fold its log back while a rebuild writes (a read held open: +12 GB)."""
        an, sig = schema.analysis, schema.dedup_signatures
        q = (select(an.c.record_id.label("id"), an.c.dup_group, sig.c.params, sig.c.signature)
             .select_from(an.outerjoin(sig, sig.c.record_id == an.c.record_id))
             .where(an.c.normalized_text.is_not(None), an.c.record_id > after)
             .order_by(an.c.record_id).limit(limit))
        with self.engine.connect() as conn:
            return list(conn.execute(q))

    def save_signatures(self, params: str, signatures: dict[str, bytes | None],
                        bands: Mapping[str, Sequence[int]] | None = None, written_by: int | None = None) -> None:
        """Replace the stored MinHash signature of each record (None: the record has none) and, in
        the same transaction, its band hashes (``bands``: signed 64-bit keys, band by band)."""
        if not signatures:
            return
        t, now = schema.dedup_signatures, to_db_time(now_local())
        with self.begin() as conn:
            conn.execute(delete(t).where(t.c.record_id.in_(list(signatures))))
            rows = [{"record_id": rid, "params": params, "signature": s, "updated_at": now}
                    for rid, s in signatures.items() if s is not None]
            if rows:
                conn.execute(t.insert(), rows)
            self._write_bands(conn, list(signatures), bands or {}, written_by)

    @staticmethod
    def _write_bands(conn: Connection, ids: Sequence[str], bands: Mapping[str, Sequence[int]],
                     written_by: int | None) -> None:
        b = schema.dedup_bands
        for chunk in _chunks(ids):
            conn.execute(delete(b).where(b.c.record_id.in_(chunk)))
        rows = [{"record_id": rid, "band": n, "band_key": int(key), "written_by": written_by}
                for rid, keys in bands.items() for n, key in enumerate(keys)]
        if rows:
            conn.execute(b.insert(), rows)

    def has_bands(self) -> bool:
        """Whether any record has band rows (none: a first load has no history to look up)."""
        with self.engine.connect() as conn:
            return conn.execute(select(schema.dedup_bands.c.record_id).limit(1)).first() is not None

    def save_bands(self, bands: Mapping[str, Sequence[int]], written_by: int | None = None) -> None:
        """Replace the band rows of these records (none: their text is being analysed again)."""
        if bands:
            with self.begin() as conn:
                self._write_bands(conn, list(bands), bands, written_by)

    def rebuilding_bands(self, started: bool) -> None:
        """Started: every band row and the key index dropped, so the rebuild's rows go in in key
        order, a few pages a batch (with the index, each row was a random page); else the index back."""
        with self.begin() as conn:
            if not started:
                return BAND_KEY_INDEX.create(conn, checkfirst=True)
            BAND_KEY_INDEX.drop(conn, checkfirst=True)
            conn.execute(delete(schema.dedup_bands))

    def band_buckets(self, keys: Collection[int], newest: int, skip_writer: int | None = None) -> dict[int, list[str]]:
        """For each band key, the ids of at most ``newest`` records in its bucket, newest first (by
        received_at, then id: the history's order), leaving out rows ``skip_writer`` wrote."""
        b, rec = schema.dedup_bands, schema.records
        rank = func.row_number().over(partition_by=b.c.band_key,
                                      order_by=(rec.c.received_at.desc(), rec.c.id.desc())).label("rank")
        out: dict[int, list[str]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(keys):
                inner = (select(b.c.band_key, b.c.record_id, rank)
                         .select_from(b.join(rec, rec.c.id == b.c.record_id))
                         .where(b.c.band_key.in_(chunk),
                                or_(b.c.written_by.is_(None), b.c.written_by != (skip_writer or 0)))
                         .subquery())
                q = select(inner.c.band_key, inner.c.record_id).where(inner.c.rank <= newest).order_by(
                    inner.c.band_key, inner.c.rank)
                for key, rid in conn.execute(q):
                    out.setdefault(int(key), []).append(rid)
        return out

    def dup_candidates(self, ids: Collection[str], params: str) -> dict[str, tuple[bytes, str | None]]:
        """The signature (made with ``params``) and stored group of each id that has one."""
        sig, an = schema.dedup_signatures, schema.analysis
        out: dict[str, tuple[bytes, str | None]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                q = (select(sig.c.record_id, sig.c.signature, an.c.dup_group)
                     .select_from(sig.join(an, an.c.record_id == sig.c.record_id))
                     .where(sig.c.record_id.in_(chunk), sig.c.params == params))
                out.update((rid, (bytes(s), g)) for rid, s, g in conn.execute(q))
        return out

    def dup_heads(self, ids: Collection[str], params: str) -> dict[str, datetime]:
        """When each id that has a signature made with ``params`` was received (a group's age)."""
        sig, rec = schema.dedup_signatures, schema.records
        out: dict[str, datetime] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                q = (select(rec.c.id, rec.c.received_at).select_from(rec.join(sig, sig.c.record_id == rec.c.id))
                     .where(rec.c.id.in_(chunk), sig.c.params == params))
                out.update((rid, from_db_time(at)) for rid, at in conn.execute(q))
        return out

    def dup_members(self, groups: Collection[str]) -> dict[str, list[str]]:
        """The records of each near-duplicate group, as stored."""
        an = schema.analysis
        out: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(groups):
                for rid, g in conn.execute(select(an.c.record_id, an.c.dup_group).where(an.c.dup_group.in_(chunk))):
                    out.setdefault(g, []).append(rid)
        return out
