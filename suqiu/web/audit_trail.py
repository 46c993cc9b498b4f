"""One line for every face to put a view or an export into the audit log (``Store.audit``).

Steps of a work order write their own entries (``suqiu.twoway.workorders``) in the transaction
that takes them; reads have nothing to write, so the page or endpoint that served them records
who read which demand here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from suqiu.installation import Installation
from suqiu.principals import Principal

MAX_IDS = 1000


def record_read(app: Installation, who: Principal, action: str, record_id: str | None, origin: str,
                ids: Sequence[str] = (), detail: str | None = None) -> None:
    """A view (``record_id``) or an export (``ids``, the first MAX_IDS of them) by ``who``."""
    text = detail
    if ids:
        text = json.dumps({"count": len(ids), "ids": list(ids[:MAX_IDS]), "query": detail}, ensure_ascii=False)
    app.store.audit({"actor": who.actor, "role": who.role, "department": who.department, "action": action,
                     "record_id": record_id, "origin": origin, "detail": text})
