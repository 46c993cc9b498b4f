"""What of a demand may leave the store through the department API and Open311: masked text only.

Titles and contents come from the analysis stage's masked fields (a demand not analysed yet shows
no text). Replies, addresses and status notes are masked here with ``nlp.pii.PiiMasker`` because
no stage masks them. Requester names and contact details never leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from nlp.pii import PiiMasker
from suqiu import schema
from suqiu.app import App
from suqiu.store import from_db_time
from suqiu.tracking import due_at

VIEW_COLUMNS = ("id", "source", "channel", "received_at", "district", "address", "category_given",
                "department_given", "status", "reply_text", "replied_at", "replied_by", "satisfaction",
                "updated_at")


class MaskedRecords:
    """Reads demands joined with their analysis and route, and returns masked dictionaries."""

    def __init__(self, app: App, masker: PiiMasker | None = None) -> None:
        self.app = app
        self.masker = masker or PiiMasker()

    def query(self):
        rec, an, rt = schema.records, schema.analysis, schema.routes
        cols = [rec.c[c] for c in VIEW_COLUMNS] + [
            an.c.masked_title, an.c.masked_text, an.c.urgency_level, rt.c.department.label("routed_to"),
            rt.c.queue]
        return (select(*cols)
                .select_from(rec.outerjoin(an, an.c.record_id == rec.c.id).outerjoin(rt, rt.c.record_id == rec.c.id)))

    def fetch(self, q) -> list[dict[str, Any]]:
        with self.app.store.engine.connect() as conn:
            return [self.view(dict(r)) for r in conn.execute(q).mappings()]

    def by_ids(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        return self.fetch(self.query().where(schema.records.c.id.in_(list(ids))))

    def mask(self, text: str | None) -> str | None:
        return None if text is None else self.masker(text)

    def department(self, row: dict[str, Any]) -> str | None:
        if row.get("routed_to"):
            return row["routed_to"]
        if row.get("queue") is None and row.get("department_given"):
            dept = self.app.config.department(row["department_given"])
            return dept.name if dept else None
        return None

    def view(self, row: dict[str, Any]) -> dict[str, Any]:
        for k, v in list(row.items()):
            if isinstance(v, datetime):
                row[k] = from_db_time(v)
        dept = self.department(row)
        return {
            "id": row["id"], "source": row["source"], "channel": row["channel"],
            "received_at": row["received_at"], "updated_at": row["updated_at"],
            "district": row["district"], "address": self.mask(row["address"]),
            "category": row["category_given"], "department": dept, "status": row["status"],
            "title": row["masked_title"] or "", "text": row["masked_text"] or "",
            "urgency": row["urgency_level"],
            "reply_text": self.mask(row["reply_text"]), "replied_at": row["replied_at"],
            "replied_by": row["replied_by"], "satisfaction": row["satisfaction"],
            "due_at": due_at(self.app.config, row["received_at"], dept, row["category_given"], row["urgency_level"]),
        }
