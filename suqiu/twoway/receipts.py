"""Receipts for citizens (回执): a verification code per demand, and the phone it came with.

A citizen checks a demand's progress on the public status page with its receipt number (the
demand's id or the source's 工单编号) and either the verification code issued here or the last
four digits of the mobile number the demand was filed with. Our records hold no phone column,
so the number is the first mobile number in the requester field or, failing that, in the
demand's own text; only its last four digits and a SHA-256 of it (to find the same requester's
earlier demands) are kept. Codes are issued when a demand enters the workflow (routing runs
every hour, right after ingest); the office reads them on the demand's page.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from nlp.pii import MOBILE_RE
from suqiu.installation import Installation

CODE_DIGITS = 6


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def phone_of(requester: str | None, content: str | None) -> str | None:
    for text in (requester, content):
        m = MOBILE_RE.search(text or "")
        if m:
            return m.group(0)
    return None


def requester_key(phone: str) -> str:
    return hashlib.sha256(f"suqiu-requester|{phone}".encode("ascii")).hexdigest()


def issue_receipts(app: Installation, limit: int = 5000, since: datetime | None = None) -> int:
    """Give every demand without one a verification code (and its phone's tail); how many got one.
    With ``since``, only demands whose record changed after it are looked at."""
    done, after = 0, None
    while rows := app.store.without_receipt(limit, since, after):
        after = rows[-1]["key"]
        phones = {r["id"]: phone_of(r["requester"], r["content"]) for r in rows}
        with app.store.begin() as conn:
            app.store.save_work_orders(conn, {rid: {
                "verify_code": new_code(), "phone_tail": phone[-4:] if phone else None,
                "requester_key": requester_key(phone) if phone else None} for rid, phone in phones.items()})
        done += len(rows)
    return done
