"""What an Open311 reader gets of a demand: one allowlist response model, filled per reader.

Reads need no key, as GeoReport v2 defines them. Who reads (``reader``): a valid client token
(``api_key``) reads as its principal; anything else (no key, another role's token, a revoked or
forged one) as the public. Which demands: ``suqiu.disclosure.grants`` (the public: public records;
a client also the internal records of its scope; nobody here an office-only one). Which fields,
decided once here — a field not in ``Open311Request`` cannot leave:

| field | keyless, or a client outside its scope | a client within its scope |
|---|---|---|
| service_request_id, status, requested_datetime, updated_datetime | yes | yes |
| description | the masked text | the masked text |
| address | district and city (the street address is a personal field) | the same |
| service_code, service_name, agency_responsible | when ``department`` is in ``classification.public_fields`` | yes |
| status_notes | the reply (markup stripped, masked) when ``reply_text`` is published, else the status | the reply |
| service_notice, expected_datetime (the time limit) | never | yes |
| lat, long (the point a client filed the request with) | rounded to 3 decimals (about 100 m) | as filed |
| address_id, zipcode, media_url | never (null) | never (null) |

Requester names, contact details and the replying person never appear in any case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from suqiu.config import Department
from suqiu.installation import Installation
from suqiu.model import OPEN_STATUSES
from suqiu.principals import Principal
from suqiu.twoway.tokens import verify_token
from suqiu.web.open311_format import w3c

MAX_DESCRIPTION = 4000
TRIAGE_CODE = "triage"
UNDISCLOSED_CODE, UNDISCLOSED_NAME = "undisclosed", "12345 诉求"   # when departments are not published
STATUS_NOTE = {"received": "已受理", "routed": "已分派至承办部门", "reopened": "已重办", "replied": "已答复",
               "closed": "已办结"}


class Open311Request(BaseModel):
    """A GeoReport v2 service request as suqiu serves it (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str | None
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: None = None
    zipcode: None = None
    lat: float | None = None
    long: float | None = None
    media_url: None = None


def reader(app: Installation, request: Request) -> Principal:
    """Who is reading: a client token's principal, else the public (GeoReport reads need no key)."""
    who = verify_token(app, request.query_params.get("api_key"))
    return who if who is not None and who.role == "client" else Principal.public()


def in_scope(who: Principal, department: str | None) -> bool:
    """Whether ``who`` reads this department's demands in full (a client within its scope)."""
    return who.role == "client" and department is not None and department in who.scope


def service_code(dept: Department) -> str:
    return dept.slug


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def shows(app: Installation, who: Principal, department: str | None) -> tuple[bool, bool]:
    """(the answering department, the reply): whether ``who`` sees them on this department's demand."""
    full, published = in_scope(who, department), app.config.classification.public_fields
    return full or "department" in published, full or "reply_text" in published


def note(view_status: str, reply: str | None, department: str | None) -> str | None:
    """``status_notes`` / an update's description: the reply when it may be shown, else the status."""
    if open311_status(view_status) == "closed" and reply:
        return reply
    if view_status == "routed" and department:
        return f"已分派至 {department}"
    return STATUS_NOTE.get(view_status, view_status)


def as_request(app: Installation, view: dict[str, Any], closed_at: datetime | None, who: Principal) -> dict[str, Any]:
    """One listing view (``demand_views``; reply already masked and stripped of markup) as ``who`` may see it."""
    full = in_scope(who, view["department"])
    show_dept, show_reply = shows(app, who, view["department"])
    dept_name = view["department"] if show_dept else None
    dept = app.config.department(dept_name) if dept_name else None
    updated = view["updated_at"]
    if open311_status(view["status"]) == "closed":
        updated = closed_at or view["replied_at"] or updated
    if dept is not None:
        code, name = service_code(dept), dept.name
    else:
        code, name = (TRIAGE_CODE, app.config.routing.triage_queue) if show_dept else (UNDISCLOSED_CODE,
                                                                                      UNDISCLOSED_NAME)
    # the district and city only, never the requester's street address (a personal field)
    address = ", ".join(p for p in (view["district"], app.config.city.name) if p)
    return Open311Request(
        service_request_id=view["id"], status=open311_status(view["status"]),
        status_notes=note(view["status"], view["reply_text"] if show_reply else None, dept_name),
        service_name=name, service_code=code,
        description=(view["text"] or view["title"] or "")[:MAX_DESCRIPTION], agency_responsible=dept_name,
        service_notice=f"应于 {view['due_at']:%Y-%m-%d %H:%M} 前答复" if full and dept_name else None,
        requested_datetime=w3c(view["received_at"]), updated_datetime=w3c(updated),
        expected_datetime=w3c(view["due_at"]) if full else None, address=address or None,
        lat=_point(view.get("lat"), full), long=_point(view.get("lon"), full),
    ).model_dump()


def _point(value: float | None, exact: bool) -> float | None:
    return None if value is None else (value if exact else round(value, 3))
