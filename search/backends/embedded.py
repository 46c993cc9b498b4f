"""The embedded backend: SQLite FTS5 over the same pre-segmented text, in its own database file.

- ``seg`` column: jieba search-mode tokens (``unicode61`` splits on the spaces we put there);
  ``chars`` column: one token per ideograph, like Elasticsearch's ``standard`` analyzer, for
  phrases and the recall fallback. Ranking is FTS5's BM25; facets are GROUP BY over the same WHERE
  (with text: over each match's facet codes in ``facet_rows``, see ``embedded_facts``), counted on a
  second connection and thread while the page is ranked.
- Every user term becomes a double-quoted FTS5 string (quotes doubled), never raw MATCH syntax.
- A rebuild fills a fresh file and copies it over the index in one step (``rebuild``); in WAL
  mode readers keep seeing the old index until then, so searches never see it half-built.

Explicit differences from Elasticsearch: no "more like this" (``similar_to``). Folded
near-duplicates (``fold_duplicates``) are SQL in ``embedded_fold``.

Demands, profiles and topics share the ``docs`` table (``kind``). Demands are nearly all of it, so
a demand search keeps ``kind`` out of index selection (``+d.kind``) and its unfiltered counts are
"all rows minus the few other kinds", both read from indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from search.access import Principal, visibility
from search.backends.base import CompiledTerm, DeleteReport, IndexReport, SearchBackend, SearchUnavailable
from search.backends.embedded_facts import coded_facets, matching_members, top_ranked
from search.backends.embedded_fold import count_and_facets, count_by_kind, count_groups_of_kinds, folded_page
from search.backends.embedded_schema import COLUMNS, FACET_SQL, fill_facet_rows, prepare_schema
from search.documents import iso, searchable_text
from search.highlight import highlight_text
from search.query import DEFAULT_KINDS, Filters, Hit, SearchQuery, SearchResult
from search.segmentation import QuerySegmenter, chars_text

WRITE_BATCH = 500
OPEN_INDEX = COLUMNS.index("open")
INSERT_DOC = f"INSERT INTO docs (rowid, {', '.join(COLUMNS)}, doc) VALUES ({', '.join('?' * (len(COLUMNS) + 2))})"


def fts_string(text: str) -> str:
    """One FTS5 string literal: user text is always data, never operators."""
    return '"' + text.replace('"', '""') + '"'


def kind_clause(kinds: Sequence[str]) -> str:
    """``kind IN (…)``; with demands among the kinds the index on kind would select nearly every
    row and make SQLite sort them all, so ``+`` keeps it out of index selection."""
    column = "+d.kind" if "demand" in kinds else "d.kind"
    return f"{column} IN ({', '.join('?' * len(kinds))})"


def access_clause(principal: Principal) -> tuple[str, list[Any]] | None:
    """``search.access.visibility`` as SQL over ``department`` and ``publication`` (None: the office)."""
    rules = visibility(principal)
    if rules is None:
        return None
    parts, params = [], []
    for g in rules:
        part = f"d.publication IN ({', '.join('?' * len(g.levels))})"
        params.extend(g.levels)
        if g.departments is not None:
            part += f" AND d.department IN ({', '.join('?' * len(g.departments))})"
            params.extend(g.departments)
        parts.append(f"({part})")
    return "(" + " OR ".join(parts) + ")", params


def term_expression(term: CompiledTerm) -> str:
    parts = []
    if term.tokens:
        parts.append("seg : (" + " AND ".join(fts_string(t) for t in term.tokens) + ")")
    if term.chars:
        parts.append("chars : " + fts_string(" ".join(term.chars)))
    return "(" + " OR ".join(parts) + ")"


class EmbeddedBackend(SearchBackend):
    name = "embedded"
    unsupported = {
        "more_like_this": "SQLite FTS5 has no term-vector similarity query; use Elasticsearch for 相似诉求",
    }

    def __init__(self, path: Path | str, segmenter: QuerySegmenter) -> None:
        super().__init__(segmenter)
        self.path = Path(path)
        self._ready = False

    # ------------------------------------------------------------------ connection
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise SearchUnavailable(f"embedded index {self.path} cannot be opened: {exc}") from exc
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            yield conn
        finally:
            conn.close()

    def ensure_ready(self) -> bool:
        """Create the file when missing and add the columns a newer version needs; True when it did
        either, so the caller fills the index whole (rows written before a column existed lack it)."""
        if self._ready:
            return False
        created = not self.path.exists()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            created = prepare_schema(conn) or created
        self._ready = True
        return created

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "path": str(self.path), "sqlite": sqlite3.sqlite_version}

    # ------------------------------------------------------------------ writes
    def _write(self, conn: sqlite3.Connection, docs: Iterable[dict[str, Any]], report: IndexReport,
               fresh: bool = False) -> None:
        """Add or replace documents, ``WRITE_BATCH`` at a time (one lookup, bulk deletes and inserts);
        rowids are assigned here (the caller holds the write lock), so docs and fts rows pair up.
        ``fresh``: the tables were just emptied, nothing to replace."""
        next_rowid = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM docs").fetchone()[0]) + 1
        batch: list[dict[str, Any]] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= WRITE_BATCH:
                next_rowid = self._write_batch(conn, batch, report, fresh, next_rowid)
                batch = []
        if batch:
            self._write_batch(conn, batch, report, fresh, next_rowid)

    def _write_batch(self, conn: sqlite3.Connection, docs: list[dict[str, Any]], report: IndexReport,
                     fresh: bool, next_rowid: int) -> int:
        by_id = {d["id"]: d for d in docs}   # the last version of an id in the batch wins
        if not fresh:
            ids = list(by_id)
            old = [(r[0],) for r in conn.execute(
                f"SELECT rowid FROM docs WHERE id IN ({', '.join('?' * len(ids))})", ids)]
            conn.executemany("DELETE FROM fts WHERE rowid = ?", old)
            conn.executemany("DELETE FROM facet_rows WHERE rowid = ?", old)
            conn.executemany("DELETE FROM docs WHERE rowid = ?", old)
        rows, texts = [], []
        for rowid, doc in enumerate(by_id.values(), start=next_rowid):
            prepared = self.prepare_document(doc)
            stored = {k: v for k, v in prepared.items() if k != "seg"}
            point = stored.get("location") or {}
            values = [point.get(c) if c in ("lon", "lat") else stored.get(c) for c in COLUMNS]
            values[OPEN_INDEX] = 1 if stored.get("open") else 0
            rows.append((rowid, *values, json.dumps(stored, ensure_ascii=False)))
            texts.append((rowid, prepared["seg"], chars_text(searchable_text(prepared))))
        conn.executemany(INSERT_DOC, rows)
        conn.executemany("INSERT INTO fts (rowid, seg, chars) VALUES (?, ?, ?)", texts)
        fill_facet_rows(conn, next_rowid, next_rowid + len(rows) - 1)
        report.indexed.extend(d["id"] for d in docs)
        return next_rowid + len(rows)

    def index_documents(self, docs: Iterable[dict[str, Any]]) -> IndexReport:
        self.ensure_ready()
        report = IndexReport()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._write(conn, docs, report)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return report

    def delete_documents(self, ids: Iterable[str]) -> DeleteReport:
        self.ensure_ready()
        report = DeleteReport()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for doc_id in ids:
                    row = conn.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
                    if row is not None:
                        conn.execute("DELETE FROM fts WHERE rowid = ?", (row[0],))
                        conn.execute("DELETE FROM facet_rows WHERE rowid = ?", (row[0],))
                        conn.execute("DELETE FROM docs WHERE rowid = ?", (row[0],))
                    report.removed.append(doc_id)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return report

    def rebuild(self, docs: Iterator[dict[str, Any]]) -> IndexReport:
        """Fill a fresh file beside the index without a journal (inside the live file's transaction,
        a million documents went through its WAL several times over as FTS5 merged segments: 8 GB),
        then copy it over the live index in one step (SQLite's backup): searches see the old index
        until the new one is whole, and a run that dies leaves the old one as it was."""
        self.ensure_ready()
        report = IndexReport()
        fresh = self.path.with_name(self.path.name + ".rebuild")
        fresh.unlink(missing_ok=True)
        src = sqlite3.connect(fresh, isolation_level=None)
        try:
            src.execute("PRAGMA journal_mode=OFF")
            src.execute("PRAGMA synchronous=OFF")
            prepare_schema(src)
            src.execute("BEGIN")
            self._write(src, docs, report, fresh=True)
            src.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            src.execute("COMMIT")
            with self._connect() as conn:
                src.backup(conn)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            src.close()
            fresh.unlink(missing_ok=True)
        return report

    def refresh(self) -> None:
        """Writes are visible once committed; nothing to do."""

    def count(self) -> int:
        self.ensure_ready()
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._ready = False

    # ------------------------------------------------------------------ reads
    def _get(self, doc_id: str) -> dict[str, Any] | None:
        self.ensure_ready()
        with self._connect() as conn:
            row = conn.execute("SELECT doc FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _where(self, query: SearchQuery, principal: Principal) -> tuple[str, list[Any], str | None, bool]:
        """WHERE clause and parameters of all but the text's MATCH, the FTS5 MATCH expression (the
        excluded terms in it as ``NOT`` when there is positive text), and whether nothing but
        ``kind`` restricts the rows beyond the text (then counts come from indexes, or with text
        the ranking from FTS5 alone)."""
        clauses: list[str] = []
        params: list[Any] = []
        groups, excluded = self.compiler.compile_text(query.text)
        match = " AND ".join("(" + " OR ".join(term_expression(t) for t in g) + ")" for g in groups) or None
        if excluded:
            unwanted = " OR ".join(term_expression(t) for t in excluded)
            if match:
                match = f"({match}) NOT ({unwanted})"
            else:
                clauses.append("d.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
                params.append(unwanted)
        self._filter_clauses(query.filters, query, clauses, params)
        access = access_clause(principal)
        if access is not None:  # the access rule: part of the engine query, not a post-filter
            clauses.append(access[0])
            params.extend(access[1])
        plain = not clauses
        kinds = query.filters.kind or DEFAULT_KINDS
        clauses.append(kind_clause(kinds))
        params.extend(kinds)
        return " AND ".join(clauses), params, match, plain

    @staticmethod
    def _filter_clauses(f: Filters, query: SearchQuery, clauses: list[str], params: list[Any]) -> None:
        for name, values in f.keyword_items():
            clauses.append(f"d.{name} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if f.topic:
            clauses.append(f"d.topic IN ({', '.join('?' * len(f.topic))})")
            params.extend(f.topic)
        if f.received_from:
            clauses.append("d.received_at >= ?")
            params.append(iso(f.received_from))
        if f.received_to:
            clauses.append("d.received_at < ?")
            params.append(iso(f.received_to))
        if f.overdue is not None:
            now = iso(query.clock())
            if f.overdue:
                clauses.append("(d.open = 1 AND d.due_at < ?)")
            else:
                clauses.append("NOT (d.open = 1 AND d.due_at IS NOT NULL AND d.due_at < ?)")
            params.append(now)
        if f.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = f.bbox
            clauses.append("(d.lat BETWEEN ? AND ? AND d.lon BETWEEN ? AND ?)")
            params.extend([min_lat, max_lat, min_lon, max_lon])

    def _search(self, query: SearchQuery, principal: Principal) -> SearchResult:
        self.ensure_ready()
        rest, rest_params, match, plain = self._where(query, principal)
        # CROSS JOIN pins the loop order: FTS5 finds the matches first, then filters read docs by rowid
        # (otherwise the planner may walk a filter index and run MATCH once per row)
        source = "fts CROSS JOIN docs d ON d.rowid = fts.rowid" if match else "docs d"
        where, params = (f"fts MATCH ? AND {rest}", [match, *rest_params]) if match else (rest, rest_params)
        try:
            # the counts on a thread and a connection of their own while this one ranks the page:
            # each is one long SQLite step, which runs without the GIL
            with ThreadPoolExecutor(max_workers=1) as pool:
                counting = pool.submit(self._count, query, match, plain, source, where, params)
                with self._connect() as conn:
                    page = self._page(conn, query, source, where, params, match, (rest, rest_params, plain))
                    docs = dict(conn.execute(
                        f"SELECT rowid, doc FROM docs WHERE rowid IN ({', '.join('?' * len(page))})",
                        [r[0] for r in page]).fetchall()) if page else {}
                rows = [(docs[r[0]], r[1], r[2]) for r in page]
                total, facets, groups = counting.result()
        except sqlite3.OperationalError as exc:
            raise SearchUnavailable(f"embedded search failed: {exc}") from exc
        needles = self.compiler.highlight_needles(self.compiler.compile_text(query.text)[0])
        hits = []
        for doc_json, sc, members in rows:
            doc = json.loads(doc_json)
            hl: list[str] = []
            if query.highlight and needles:
                hl = highlight_text(doc.get("title") or "", needles, max_fragments=1) + \
                    highlight_text(doc.get("content") or "", needles)
            hits.append(Hit(id=doc["id"], score=None if sc is None else float(sc), fields=doc, highlight=hl,
                            group_size=members))
        return SearchResult(total=total, hits=hits, facets=facets, groups=groups)

    def _count(self, query: SearchQuery, match: str | None, plain: bool, source: str, where: str,
               params: list[Any]) -> tuple[int, dict[str, list[dict]], int | None]:
        """Total, facets and (folding) the number of groups. With text and no folding, facets count
        the codes in ``facet_rows``, joined alone when only ``kind`` restricts the rows beyond the
        text; folding, one pass over the matches' ``docs`` rows gives the facets and the distinct
        groups together (a second pass for the groups cost more than the codes saved)."""
        kinds = query.filters.kind or DEFAULT_KINDS
        with self._connect() as conn:
            if match and not query.folds:
                if plain:
                    return (*coded_facets(
                        conn, query.facets, "fts CROSS JOIN facet_rows c ON c.rowid = fts.rowid",
                        "fts MATCH ? AND c.c_kind IN (SELECT code FROM codes WHERE facet = 'kind' AND value IN "
                        f"({', '.join('?' * len(kinds))}))", [match, *kinds]), None)
                return (*coded_facets(conn, query.facets, f"{source} CROSS JOIN facet_rows c ON c.rowid = fts.rowid",
                                      where, params), None)
            if plain and not match:
                total, facets = count_by_kind(conn, query.facets, kinds)
                return total, facets, count_groups_of_kinds(conn, kinds) if query.folds else None
            return count_and_facets(conn, {n: FACET_SQL[n] for n in query.facets}, source, where, params,
                                    query.folds)

    @staticmethod
    def _page(conn: sqlite3.Connection, query: SearchQuery, source: str, where: str, params: list[Any],
              match: str | None, rest: tuple[str, list[Any], bool]) -> list[tuple[int, Any, int | None]]:
        """(rowid, score, group size) of the page in the query's order. Relevance with nothing but
        ``kind`` beside the text is ranked by FTS5 alone (``top_ranked``, folded or not); else SQLite
        sorts only (rowid, score) and the page's documents are read after: sorting wide rows is slow."""
        ranked = match is not None and query.sort == "relevance"
        if ranked:
            order = "bm25(fts) ASC, d.received_at DESC, d.id ASC"
        elif query.sort == "heat":
            order = "d.heat DESC, d.received_at DESC, d.id ASC"
        else:
            order = "d.received_at DESC, d.id ASC"
        score = "-bm25(fts)" if ranked else "NULL"
        if ranked and rest[2] and query.size:
            top = top_ranked(conn, str(match), rest[0], rest[1], query.offset + query.size, query.folds)
            if top is not None and query.folds:
                sizes = matching_members(conn, str(match), rest[0], rest[1], [g for _, _, g in top[query.offset:]])
                return [(rowid, sc, sizes.get(g, 1)) for rowid, sc, g in top[query.offset:]]
            if top is not None:
                return [(rowid, sc, None) for rowid, sc, _ in top[query.offset:]]
        if query.folds:
            return folded_page(conn, source, where, params, order, score, query.offset, query.size)
        if not query.size:
            return []
        return [(r[0], r[1], None) for r in conn.execute(
            f"SELECT d.rowid, {score} FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, query.size, query.offset)).fetchall()]
