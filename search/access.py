"""Who may see what, enforced inside every backend query (not only in pages).

- ``office`` (信访办 / 12345 中心): every demand, every profile, every topic.
- ``department``: only the demands it owns, and its own profiles. The rule is a mandatory filter
  the backend adds to the query itself (``department == D``), so no combination of text, filters,
  facets, kinds or ids can widen it; a document fetched by id is checked against the same rule.
  The same filter covers the other kinds: a profile of dimension ``department`` carries its
  department, every other profile carries none; topics carry none either, because a topic
  aggregates every department's demands, so departments see no topics.
- ``public`` (and Open311 ``client``): masked text only (the index never holds anything else) and
  no personal fields; profiles and topics are aggregates of masked text and are shown.

The principals are the core's (``suqiu.principals``).
"""

from __future__ import annotations

from typing import Any

from suqiu.disclosure import PERSONAL_FIELDS, project
from suqiu.principals import Principal, PrincipalError

AccessError = PrincipalError


def canonical_principal(principal: Principal, config: Any | None) -> Principal:
    """Resolve a department alias (住建局) to its configured name, the value the index holds."""
    return principal.canonical(config)


def required_department(principal: Principal) -> str | None:
    """The department every visible demand must belong to, or None when unrestricted."""
    return principal.required_department


def may_see(principal: Principal, doc: dict[str, Any]) -> bool:
    """The same rule the backends compile into queries, for one document already in hand."""
    dept = required_department(principal)
    return dept is None or doc.get("department") == dept


def may_see_profile(principal: Principal, dimension: str, value: str) -> bool:
    """A department sees only its own profile (dimension ``department``, value its name)."""
    dept = required_department(principal)
    return dept is None or (dimension == "department" and value == dept)


__all__ = ["Principal", "AccessError", "PERSONAL_FIELDS", "canonical_principal", "required_department", "may_see",
           "may_see_profile", "project"]
