"""The installation's corpus statistics (document frequencies for TF-IDF keywords).

Kept under ``models_dir``: ``doc_freq.json`` is written whole once per text-stage run; every batch
stored before that appends its own counts to ``doc_freq.log``, so readers see a running run's
batches. A run that dies can leave a batch stored but not logged (it is logged after its commit),
so a run logs an empty line first and the next text-stage run that finds a log rebuilds the table
from the stored tokens (``fresh_doc_freq``), as it does a missing or damaged table.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from nlp.keywords import DocFreq
from suqiu.installation import Installation

DOC_FREQ_FILE = "doc_freq.json"
DOC_FREQ_LOG = "doc_freq.log"   # one line per stored batch since doc_freq.json was written


def doc_freq_path(inst: Installation) -> Path:
    return inst.models_dir / DOC_FREQ_FILE


def doc_freq_log_path(inst: Installation) -> Path:
    return inst.models_dir / DOC_FREQ_LOG


def load_doc_freq(inst: Installation) -> DocFreq:
    """The saved table plus the batches logged since it was written."""
    return read_doc_freq(inst)[0]


def read_doc_freq(inst: Installation) -> tuple[DocFreq, str | None]:
    """``load_doc_freq`` and the id of the log it extends (None when rebuilt: nothing to extend)."""
    path = doc_freq_path(inst)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            df = DocFreq.from_dict(data)
        except (ValueError, OSError):
            pass  # a damaged file is rebuilt from the store below
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
    log = doc_freq_log_path(inst)
    if not log.exists():
        return False
    with open(log, encoding="utf-8") as fh:
        return any(f'"log_id": "{log_id}"' in line for line in fh)


def _apply_log(inst: Installation, df: DocFreq, log_id: str | None) -> None:
    """Fold in the logged batches that extend this table (lines of an older table are ignored; a
    line torn by a crash ends the log)."""
    log = doc_freq_log_path(inst)
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


def save_doc_freq(inst: Installation, df: DocFreq) -> str:
    """Write the whole table (a new log starts; older log lines no longer apply); returns its log id."""
    path = doc_freq_path(inst)
    tmp = path.with_suffix(".tmp")
    log_id = uuid.uuid4().hex
    tmp.write_text(json.dumps({**df.to_dict(), "log_id": log_id}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    doc_freq_log_path(inst).unlink(missing_ok=True)
    return log_id


def log_doc_freq(inst: Installation, log_id: str, tokens: Iterable[Sequence[str]]) -> None:
    """Append one stored batch's document frequencies (cheap; the whole table is written once a run)."""
    delta = DocFreq()
    delta.add(tokens)
    line = json.dumps({"log_id": log_id, "n_docs": delta.n_docs, "df": delta.df}, ensure_ascii=False)
    with open(doc_freq_log_path(inst), "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
