"""Demands as the department API and Open311 list them: store rows through the disclosure policy."""

from __future__ import annotations

from typing import Any

from nlp.normalize import plain_text
from nlp.pii import PiiMasker
from suqiu.deadlines import due_at
from suqiu.disclosure import Disclosure
from suqiu.installation import Installation
from suqiu.store import DemandFilter


def disclosure(app: Installation | None = None) -> Disclosure:
    """The policy with a masker that strips markup first: a number split by tags is masked whole,
    and no reply markup leaves (JSON and XML alike)."""
    masker = PiiMasker()
    published = app.config.classification.public_fields if app is not None else ()
    return Disclosure(lambda text: masker(plain_text(text)), published)


def demand_views(app: Installation, f: DemandFilter, policy: Disclosure | None = None) -> list[dict[str, Any]]:
    """Masked views of the demands ``f`` selects, each with its owner and due time."""
    policy = policy or disclosure(app)
    return [policy.listing(r, due_at(app.config, r["received_at"], r["owner"], r["category_given"], r["urgency_level"],
                                     r["due_override"]))
            for r in app.store.demand_rows(app.config, f)]
