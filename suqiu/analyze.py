"""``suqiu analyze`` at the I/O edge: the text stage over what is new or changed, then later stages.

Reads ``store.pending("analyze")`` (records whose text hash the stage has not seen), runs
``nlp.text_stage.TextStage`` in batches (worker processes with ``workers`` > 1; 0 chooses), groups
near-duplicates against every earlier record (signatures in ``dedup_signatures``), fills a missing
``district`` from the places found (``Store.set_fields``, origin "analyze"), and saves analysis with
``stage="analyze"`` so a re-run finds nothing to do. Corpus document frequencies for TF-IDF live
in ``data/models/doc_freq.json``, written whole at the end of a run; each batch stored before that
appends its own counts to ``doc_freq.log``, so a run that dies keeps what it stored.

Later stages (routing, sentiment, urgency, topics …) are functions ``(app) -> stats`` appended to
``LATER_STAGES``; each reads its own pending work (typically ``pending(name, after="analyze")``).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, select

from nlp.dedup import DupIndex, MinHasher
from nlp.keywords import DocFreq
from nlp.pii import strip_tags
from nlp.segment import Segmenter
from nlp.text_stage import FIELDS, TextDoc, TextResult, TextStage, join_title
from suqiu import schema
from suqiu.classify_stage import classify
from suqiu.store import now_local, to_db_time
from suqiu.topics_stage import topics

if TYPE_CHECKING:
    from suqiu.app import App
    from suqiu.config import Config

STAGE = "analyze"
DOC_FREQ_FILE = "doc_freq.json"
# ``workers=0`` starts a second process from this many pending records (starting one costs about
# two seconds when the caller runs threads, as Prefect does; 2,000 Teddy Cup messages take ~8 s alone)
AUTO_WORKERS_MIN = 2000
DOC_FREQ_LOG = "doc_freq.log"   # one line per stored batch since doc_freq.json was written

StageFn = Callable[["App"], dict[str, Any]]
# Stages that run after the text stage, in order: the one place where a new stage is added.
# classify: department (or triage), sentiment, urgency (suqiu/classify_stage.py); before topics,
# whose profiles and warnings read them
# topics: assigns topic ids, then rebuilds profiles, hotspots and warnings (suqiu/topics_stage.py)
LATER_STAGES: tuple[StageFn, ...] = (classify, topics)

Progress = Callable[[int, int], None]


def make_segmenter(config: "Config") -> Segmenter:
    """The segmenter every stage shares (same user dictionary, same stop words)."""
    return Segmenter.from_config(config)


def make_text_stage(config: "Config") -> TextStage:
    return TextStage.from_config(config)


# ---------------------------------------------------------------------------- corpus statistics
def doc_freq_path(app: "App"):
    return app.models_dir / DOC_FREQ_FILE


def doc_freq_log_path(app: "App"):
    return app.models_dir / DOC_FREQ_LOG


def load_doc_freq(app: "App") -> DocFreq:
    """The installation's document frequencies: the saved table plus the batches logged since it
    was written; rebuilt from stored tokens when the table is gone or damaged."""
    return _read_doc_freq(app)[0]


def _read_doc_freq(app: "App") -> tuple[DocFreq, str | None]:
    """``load_doc_freq`` and the id of the log it extends (None when rebuilt: nothing to extend)."""
    path = doc_freq_path(app)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            df = DocFreq.from_dict(data)
        except (ValueError, OSError):
            pass  # a damaged file is rebuilt from the store below
        else:
            _apply_log(app, df, data.get("log_id"))
            return df, data.get("log_id")
    df = DocFreq()
    an = schema.analysis
    with app.store.engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(an.c.tokens).where(an.c.normalized_text.is_not(None)))
        df.add(r[0] or [] for r in rows)
    return df, None


def _apply_log(app: "App", df: DocFreq, log_id: str | None) -> None:
    """Fold in the logged batches that extend this table (lines of an older table are ignored; a
    line torn by a crash ends the log)."""
    log = doc_freq_log_path(app)
    if log_id is None or not log.exists():
        return
    with open(log, encoding="utf-8") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except ValueError:
                break
            if entry.get("log_id") != log_id:
                continue
            df.n_docs += int(entry["n_docs"])
            df.df.update(entry["df"])


def save_doc_freq(app: "App", df: DocFreq) -> str:
    """Write the whole table (a new log starts; older log lines no longer apply); returns its log id."""
    path = doc_freq_path(app)
    tmp = path.with_suffix(".tmp")
    log_id = uuid.uuid4().hex
    tmp.write_text(json.dumps({**df.to_dict(), "log_id": log_id}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    doc_freq_log_path(app).unlink(missing_ok=True)
    return log_id


def log_doc_freq(app: "App", log_id: str, tokens: Iterable[Sequence[str]]) -> None:
    """Append one stored batch's document frequencies (cheap; the whole table is written once a run)."""
    delta = DocFreq()
    delta.add(tokens)
    line = json.dumps({"log_id": log_id, "n_docs": delta.n_docs, "df": delta.df}, ensure_ascii=False)
    with open(doc_freq_log_path(app), "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


# ---------------------------------------------------------------------------- duplicate index
def load_dup_index(app: "App", hasher: MinHasher, exclude: set[str],
                   threshold: float = 0.6) -> tuple[DupIndex, dict[str, str | None]]:
    """Every analysed record's signature and group, oldest first; stale signatures are recomputed."""
    index = DupIndex(hasher, threshold=threshold)
    rec, an, sig = schema.records, schema.analysis, schema.dedup_signatures
    q = (select(rec.c.id, an.c.dup_group, an.c.masked_title, an.c.masked_text, sig.c.params, sig.c.signature)
         .select_from(rec.join(an, an.c.record_id == rec.c.id).outerjoin(sig, sig.c.record_id == rec.c.id))
         .where(an.c.normalized_text.is_not(None))
         .order_by(rec.c.received_at, rec.c.id))
    stored: dict[str, str | None] = {}
    items: list[tuple[str, np.ndarray, str | None]] = []
    refresh: dict[str, np.ndarray | None] = {}
    with app.store.engine.connect() as conn:
        for row in conn.execute(q):
            if row.id in exclude:
                continue
            stored[row.id] = row.dup_group
            if row.params == hasher.params and row.signature:
                vec = np.frombuffer(row.signature, dtype=np.uint32).copy()
            else:
                vec = hasher.signature(strip_tags(join_title(row.masked_title or "", row.masked_text or "")))
                refresh[row.id] = vec
            if vec is not None:
                items.append((row.id, vec, row.dup_group))
    index.load(items)
    if refresh:
        save_signatures(app, hasher, refresh)
    return index, stored


def save_signatures(app: "App", hasher: MinHasher, sigs: dict[str, np.ndarray | None]) -> None:
    if not sigs:
        return
    t = schema.dedup_signatures
    now = to_db_time(now_local())
    with app.store.begin() as conn:
        conn.execute(delete(t).where(t.c.record_id.in_(list(sigs))))
        rows = [{"record_id": rid, "params": hasher.params, "signature": s.astype(np.uint32).tobytes(),
                 "updated_at": now} for rid, s in sigs.items() if s is not None]
        if rows:
            conn.execute(t.insert(), rows)


# ---------------------------------------------------------------------------- the run
def _docs(rows: Iterable[dict[str, Any]]) -> list[TextDoc]:
    return [TextDoc(record_id=r["id"], title=r.get("title") or "", content=r.get("content") or "",
                    address=r.get("address")) for r in rows]


def _with_inferred_district(result: TextResult) -> list[dict[str, str]]:
    places = list(result.places)
    if result.district and not any(p["level"] == "district" and p["name"] == result.district for p in places):
        places.append({"name": result.district, "level": "district", "district": result.district,
                       "source": "inferred"})
    return places


def auto_workers(pending: int, cores: int | None = None) -> int:
    """Worker processes for ``workers=0``: two when there is enough text to repay starting them."""
    if cores is None:
        cores = os.cpu_count() or 1
    return 2 if pending >= AUTO_WORKERS_MIN and cores >= 2 else 1


def run_text_stage(app: "App", ids: Sequence[str], workers: int = 1, batch_size: int = 500,
                   progress: Progress | None = None, stage: TextStage | None = None) -> dict[str, Any]:
    """Analyse the given records; returns the stage's figures. ``workers=0``: ``auto_workers``."""
    store = app.store
    workers = workers or auto_workers(len(ids))
    stage = stage or make_text_stage(app.config)
    doc_freq, log_id = _read_doc_freq(app)
    pending = set(ids)
    index, stored_group = load_dup_index(app, stage.hasher, exclude=pending, threshold=stage.dup_threshold)
    pii: Counter[str] = Counter()
    stats: dict[str, Any] = {"analyzed": 0, "chars": 0, "district_filled": 0, "relabelled": 0}
    started = time.perf_counter()
    done = 0
    if progress:
        progress(0, len(ids))
    read: list[dict[str, dict[str, Any]]] = []   # rows of each batch handed to the stage, oldest first

    def batches() -> Iterator[list[TextDoc]]:
        for start in range(0, len(ids), batch_size):
            batch_ids = list(ids[start:start + batch_size])
            rows = {r["id"]: r for r in store.iter_records(ids=batch_ids)}
            read.append(rows)
            yield _docs(rows[i] for i in batch_ids if i in rows)

    if log_id is None:  # the run's batches are logged against a saved table
        log_id = save_doc_freq(app, doc_freq)
    with stage.pool(workers) as pool:
        # with workers, the stage runs the next batch while this one is stored
        for results in stage.process_batches(batches(), doc_freq, pool):
            rows = read.pop(0)
            batch_ids = [r.record_id for r in results]

            touched: set[str] = set()
            for r in results:
                added = index.add(r.record_id, r.signature)
                if added.group:
                    touched.update(added.matched)
                    for old, new in added.merged.items():
                        touched.update(index.members.get(new, ()))
            in_batch = set(batch_ids)
            relabel = {m: index.group(m) for m in touched - in_batch
                       if index.group(m) and stored_group.get(m) != index.group(m)}

            save_signatures(app, stage.hasher, {r.record_id: r.signature for r in results})
            analyses = []
            for r in results:
                a = r.analysis(dup_group=index.group(r.record_id) or r.record_id)
                a.places = _with_inferred_district(r)
                analyses.append(a)
                stored_group[r.record_id] = a.dup_group
                pii.update(r.pii)
                stats["chars"] += len(r.normalized_text)
            store.save_analysis(analyses, stage=STAGE, fields=FIELDS)
            if relabel:
                from suqiu.model import Analysis
                store.save_analysis([Analysis(record_id=m, dup_group=g) for m, g in relabel.items()],
                                    fields=["dup_group"])
                stored_group.update(relabel)
                stats["relabelled"] += len(relabel)
            inferred = {r.record_id: {"district": r.district} for r in results
                        if r.district and not rows[r.record_id].get("district")}
            if inferred:
                stats["district_filled"] += len(store.set_fields_many(
                    inferred, origin=STAGE, actor="suqiu analyze", note="由文本中的地点推断"))
            log_doc_freq(app, log_id, (r.tokens for r in results))
            done += len(batch_ids)
            stats["analyzed"] += len(results)
            if progress:
                progress(done, len(ids))
    save_doc_freq(app, doc_freq)
    seconds = time.perf_counter() - started
    stats["seconds"] = round(seconds, 3)
    stats["chars_per_s"] = round(stats["chars"] / seconds) if seconds > 0 and stats["chars"] else 0
    stats["pii_masked"] = dict(sorted(pii.items()))
    stats["workers"] = workers
    return stats


def duplicate_summary(app: "App") -> dict[str, int]:
    """How many records sit in groups of two or more, and how many such groups there are."""
    an = schema.analysis
    from sqlalchemy import func
    with app.store.engine.connect() as conn:
        sizes = [n for (_, n) in conn.execute(
            select(an.c.dup_group, func.count()).where(an.c.dup_group.is_not(None)).group_by(an.c.dup_group))]
    return {"dup_groups": sum(1 for n in sizes if n > 1), "records_in_dup_groups": sum(n for n in sizes if n > 1)}


def analyze_pending(app: "App", workers: int = 0, batch_size: int = 500, progress: Progress | None = None,
                    later_stages: Sequence[StageFn] | None = None, stage: TextStage | None = None) -> dict[str, Any]:
    """NLP on what is new or changed; a re-run with nothing new does nothing and records no run.

    ``stage`` defaults to the text stage built from the app's configuration (pass one to reuse
    its loaded dictionaries across calls).
    """
    store = app.store
    ids = store.pending(STAGE)
    later = LATER_STAGES if later_stages is None else tuple(later_stages)
    result: dict[str, Any] = {"pending": len(ids), "analyzed": 0, "stages": {}}
    # a later stage may say it has nothing to do (``fn.has_work(app)``); then a re-run records no run
    later = tuple(fn for fn in later if ids or getattr(fn, "has_work", None) is None or fn.has_work(app))
    if not ids and not later:
        result["run_id"] = None
        return result
    run_id = store.start_run("analyze")
    result["run_id"] = run_id
    try:
        if ids:
            result.update(run_text_stage(app, ids, workers=workers, batch_size=batch_size, progress=progress,
                                         stage=stage))
            result.update(duplicate_summary(app))
        for fn in later:
            result["stages"][getattr(fn, "__name__", repr(fn))] = fn(app)
    except BaseException as exc:
        store.finish_run(run_id, result, error=f"{type(exc).__name__}: {exc}")
        raise
    store.finish_run(run_id, result)
    return result
