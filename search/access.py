"""Who may see what, enforced inside every backend query (not only in pages).

- ``office`` (信访办 / 12345 中心): every demand, every profile, every topic.
- ``department``: only the demands it owns, and its own profiles. The rule is a mandatory filter
  the backend adds to the query itself (``department == D``), so no combination of text, filters,
  facets, kinds or ids can widen it; a document fetched by id is checked against the same rule.
  The same filter covers the other kinds: a profile of dimension ``department`` carries its
  department, every other profile carries none; topics carry none either, because a topic
  aggregates every department's demands, so departments see no topics.
- ``public`` (and Open311 ``client``): masked text only (the index never holds anything else), only
  the public fields, and no personal field.
- 分级 (``suqiu.disclosure.grants``, the one rule): on top of the above, a department sees only its
  public and internal demands, never an office-only one (not even its own), and the public only
  public ones. Profiles and topics are ``internal`` (their headlines come from every channel): the
  public sees none, a department its own profile. Backends compile ``visibility`` into the engine
  query as a mandatory filter on ``department`` and ``publication``.

The principals are the core's (``suqiu.principals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from search.query import QueryError, SearchQuery
from suqiu.disclosure import AGGREGATE_LEVEL, PERSONAL_FIELDS, Grant, grants, project
from suqiu.disclosure import may_see as may_see_demand
from suqiu.principals import Principal, PrincipalError

AccessError = PrincipalError


def canonical_principal(principal: Principal, config: Any | None) -> Principal:
    """Resolve a department alias (住建局) to its configured name, the value the index holds."""
    return principal.canonical(config)


def required_department(principal: Principal) -> str | None:
    """The department every visible demand must belong to, or None when unrestricted."""
    return principal.required_department


def visibility(principal: Principal) -> tuple[Grant, ...] | None:
    """The mandatory filter of every query: a hit satisfies one grant (its ``department`` among the
    grant's departments, unless those are None, and its ``publication`` among the grant's levels);
    None: no restriction (the office)."""
    return grants(principal)


def public_query(query: SearchQuery, published: Iterable[str] = ()) -> SearchQuery:
    """``query`` as the public (and a client) may ask it: no facet on a field it cannot see (urgency,
    time limits, the department unless published), and a filter on one refused, naming it."""
    hidden = {"urgency", "overdue"} | ({"department"} - set(published))
    for name in sorted(hidden):
        if getattr(query.filters, name) not in ((), None):
            raise QueryError(name, "公众不能按此字段筛选")
    return replace(query, facets=tuple(f for f in query.facets if f not in hidden))


def may_see(principal: Principal, doc: dict[str, Any]) -> bool:
    """The same rule the backends compile into queries, for one document already in hand."""
    return may_see_demand(principal, doc.get("publication"), doc.get("department"))


def may_see_aggregate(principal: Principal, department: str | None = None) -> bool:
    """A profile or topic (``internal``; ``department``: the department a profile is about)."""
    return may_see_demand(principal, AGGREGATE_LEVEL, department)


def may_see_profile(principal: Principal, dimension: str, value: str) -> bool:
    """A department sees only its own profile (dimension ``department``, value its name); the
    public none."""
    return may_see_aggregate(principal, value if dimension == "department" else None)


__all__ = ["Principal", "AccessError", "PERSONAL_FIELDS", "canonical_principal", "required_department", "may_see",
           "may_see_aggregate", "may_see_profile", "project", "public_query", "visibility"]
