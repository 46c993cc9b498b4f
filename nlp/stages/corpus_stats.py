"""The installation's corpus statistics (document frequencies for TF-IDF keywords), in its shared
state so every worker's keywords weigh terms by the same table.

``stats/doc_freq.json`` is written whole once per text-stage run; every batch stored before that
adds its own counts as one blob under ``stats/doc_freq.log/<log id>/``, so readers see a running
run's batches. A run that dies can leave a batch stored but not logged (it is logged after its
commit), so a run logs an empty entry first and the next text-stage run that finds a log rebuilds
the table from the stored tokens (``fresh_doc_freq``), as it does a missing or damaged table.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence

from nlp.keywords import DocFreq
from suqiu.installation import Installation
from suqiu.state import shared_state

DOC_FREQ_KEY = "stats/doc_freq.json"
DOC_FREQ_LOG = "stats/doc_freq.log"   # one blob per stored batch since the table was written


def load_doc_freq(inst: Installation) -> DocFreq:
    """The saved table plus the batches logged since it was written."""
    return read_doc_freq(inst)[0]


def read_doc_freq(inst: Installation) -> tuple[DocFreq, str | None]:
    """``load_doc_freq`` and the id of the log it extends (None when rebuilt: nothing to extend)."""
    state = shared_state(inst)
    raw = state.get(DOC_FREQ_KEY)
    if raw is not None:
        try:
            data = json.loads(raw.decode("utf-8"))
            df = DocFreq.from_dict(data)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged table is rebuilt from the store below
        else:
            _apply_log(inst, df, data.get("log_id"))
            return df, data.get("log_id")
    return rebuilt_doc_freq(inst), None


def rebuilt_doc_freq(inst: Installation) -> DocFreq:
    """The table from the tokens in the store: exact, at the price of reading every analysed record."""
    df = DocFreq()
    df.add(inst.store.analysed_tokens())
    return df


def fresh_doc_freq(inst: Installation) -> tuple[DocFreq, str | None]:
    """What a text-stage run starts from: ``read_doc_freq``, unless the table's log holds batches of
    a run that never finished (it died, maybe between storing a batch and logging it): then rebuilt."""
    df, log_id = read_doc_freq(inst)
    if log_id is not None and _has_lines(inst, log_id):
        return rebuilt_doc_freq(inst), None
    return df, log_id


def _has_lines(inst: Installation, log_id: str) -> bool:
    return bool(shared_state(inst).keys(f"{DOC_FREQ_LOG}/{log_id}/"))


def _apply_log(inst: Installation, df: DocFreq, log_id: str | None) -> None:
    """Fold in the logged batches that extend this table (a damaged entry is skipped)."""
    if log_id is None:
        return
    state = shared_state(inst)
    for key in state.keys(f"{DOC_FREQ_LOG}/{log_id}/"):
        try:
            entry = json.loads((state.get(key) or b"").decode("utf-8"))
            n_docs, counts = int(entry["n_docs"]), dict(entry["df"])
        except (ValueError, KeyError, TypeError):
            continue
        df.n_docs += n_docs
        df.df.update(counts)


def save_doc_freq(inst: Installation, df: DocFreq) -> str:
    """Write the whole table (a new log starts; older log entries no longer apply); returns its log id."""
    state = shared_state(inst)
    log_id = uuid.uuid4().hex
    state.put(DOC_FREQ_KEY, json.dumps({**df.to_dict(), "log_id": log_id}, ensure_ascii=False).encode("utf-8"))
    state.delete(state.keys(DOC_FREQ_LOG + "/"))
    return log_id


def log_doc_freq(inst: Installation, log_id: str, tokens: Iterable[Sequence[str]]) -> None:
    """Add one stored batch's document frequencies (cheap; the whole table is written once a run)."""
    delta = DocFreq()
    delta.add(tokens)
    entry = json.dumps({"n_docs": delta.n_docs, "df": delta.df}, ensure_ascii=False).encode("utf-8")
    shared_state(inst).put(f"{DOC_FREQ_LOG}/{log_id}/{time.time_ns():020d}-{uuid.uuid4().hex[:8]}", entry)
