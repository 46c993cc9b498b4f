"""One demand as the detail page shows it: masked text, analysis, routing and reply history.

Access is decided before anything is read for display: a department sees only demands routed to
it, and a record the user may not see is reported exactly like a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from suqiu.app import App
from suqiu.model import Analysis
from suqiu.web.auth import User

# history fields whose values are free text written by people: masked before display
_TEXT_FIELDS = {"reply_text", "note"}


@dataclass
class HistoryEntry:
    at: Any
    field: str
    old_value: str | None
    new_value: str | None
    origin: str
    actor: str | None
    note: str | None


@dataclass
class RecordView:
    id: str
    source: str
    channel: str
    received_at: Any
    district: str | None
    address: str | None
    requester_type: str | None
    category_given: str | None
    department_given: str | None
    status: str
    title: str
    text: str
    text_masked: bool
    reply_text: str | None
    replied_at: Any
    replied_by: str | None
    satisfaction: str | None
    url: str | None
    analysis: Analysis | None
    history: list[HistoryEntry] = field(default_factory=list)


@lru_cache(maxsize=1)
def _masker() -> Callable[[str], str]:
    from nlp.normalize import Normalizer
    from nlp.pii import PiiMasker
    # width folding only (no traditional→simplified): the text stays as written, digits fold so
    # full-width phone numbers are found too
    normalize, masker = Normalizer(t2s=lambda s: s, strip_markup=False), PiiMasker()
    return lambda text: masker(normalize(text))


def mask(text: str | None) -> str | None:
    """PII-masked text (replies, notes, addresses) through the pipeline's own masker."""
    if not text:
        return text
    return _masker()(text)


def may_view(user: User, record: dict[str, Any], analysis: Analysis | None, config: Any | None = None) -> bool:
    """Petition office and public see every demand (public: masked, no personal fields); a department
    sees only demands routed to it, by the same routed department the search index holds."""
    if user.role in ("petition_office", "public"):
        return True
    if user.role == "department" and user.department:
        from search.documents import routed_department
        return routed_department(record, analysis, config) == user.department
    return False


def load_record(app: App, record_id: str, user: User) -> RecordView | None:
    """The record for ``user``, or None when it does not exist or the user may not see it."""
    store = app.store
    record = store.get(record_id)
    if record is None:
        return None
    analysis = store.get_analysis(record_id)
    if not may_view(user, record, analysis, app.config):
        return None
    public = user.role == "public"
    masked_text = analysis.masked_text if analysis is not None else None
    masked_title = analysis.masked_title if analysis is not None else None
    if masked_text is None:
        title, text = mask(record["title"]) or "", mask(record["content"]) or ""
    else:
        title, text = masked_title or "", masked_text
    history = [] if public else [
        HistoryEntry(at=h["at"], field=h["field"],
                     old_value=mask(h["old_value"]) if h["field"] in _TEXT_FIELDS else h["old_value"],
                     new_value=mask(h["new_value"]) if h["field"] in _TEXT_FIELDS else h["new_value"],
                     origin=h["origin"], actor=h["actor"], note=mask(h["note"]))
        for h in store.history(record_id)]
    return RecordView(
        id=record["id"], source=record["source"], channel=record["channel"], received_at=record["received_at"],
        district=record["district"], address=None if public else mask(record["address"]),
        requester_type=None if public else record["requester_type"], category_given=record["category_given"],
        department_given=record["department_given"], status=record["status"], title=title, text=text,
        text_masked=True, reply_text=mask(record["reply_text"]), replied_at=record["replied_at"],
        replied_by=None if public else record["replied_by"], satisfaction=record["satisfaction"],
        url=None if public else record["url"], analysis=analysis, history=history)
