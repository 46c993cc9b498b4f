"""Which department owns a demand: the one decision every reader shares.

A demand belongs to the department it is routed to (the ``routes`` table; a route to the triage
queue means nobody owns it yet). A demand not yet routed belongs to the configured department its
source named (a hotline export's 承办单位), by canonical name. The classifier's choice
(``analysis.department``) is only a proposal to the router and never decides ownership.

The store compiles the same rule into SQL (``suqiu.store.routes.owner_column``) for queries.
Co-handling departments (协办) read a demand beside its owner but never own it (``may_read``).
"""

from __future__ import annotations

from collections.abc import Iterable

from suqiu.config import Config
from suqiu.disclosure import may_see
from suqiu.principals import Principal


def owner(config: Config, routed: bool, route_department: str | None, department_given: str | None) -> str | None:
    """The owning department's canonical name, or None (triage queue, or nobody known)."""
    if routed:
        return route_department
    given = config.department(department_given) if department_given else None
    return given.name if given is not None else None


def may_read(principal: Principal, publication: str | None, owner: str | None,
             co_handlers: Iterable[str] = ()) -> bool:
    """Who reads a demand: whoever its level grants it to (``suqiu.disclosure.may_see``: the office
    every one, a department its own public and internal ones), and a department invited to co-handle
    it (协办, the ``co_handlers`` table) as if it owned it — never an office-only demand."""
    if may_see(principal, publication, owner):
        return True
    dept = principal.required_department
    return dept is not None and dept in set(co_handlers) and may_see(principal, publication, dept)
