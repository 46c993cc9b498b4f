"""Who may see what, enforced inside every backend query (not only in pages).

- ``petition_office`` (信访办 / 12345 中心): every demand, every profile, every topic.
- ``department``: only demands routed to it, and its own profiles. The rule is a mandatory filter
  the backend adds to the query itself (``department == D``), so no combination of text, filters,
  facets, kinds or ids can widen it; a document fetched by id is checked against the same rule.
  The same filter covers the other kinds: a profile of dimension ``department`` carries its
  department, every other profile carries none; topics carry none either, because a topic
  aggregates every department's demands (its headlines and figures would show other departments'
  work), so departments see no topics.
- ``public``: masked text only (the index never holds anything else) and no personal fields;
  profiles and topics are aggregates of masked text and are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["petition_office", "department", "public"]
ROLES: tuple[str, ...] = ("petition_office", "department", "public")

# fields that identify or locate a person; never shown to the public view
PERSONAL_FIELDS: tuple[str, ...] = ("requester", "address", "requester_type", "replied_by")


class AccessError(PermissionError):
    """A principal is malformed (e.g. a department role without a department)."""


@dataclass(frozen=True)
class Principal:
    role: Role
    department: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccessError(f"role '{self.role}' is not one of {', '.join(ROLES)}")
        if self.role == "department" and not self.department:
            raise AccessError("a department principal needs its department name")

    @classmethod
    def petition_office(cls, name: str | None = None) -> "Principal":
        return cls("petition_office", name=name)

    @classmethod
    def for_department(cls, department: str, name: str | None = None) -> "Principal":
        return cls("department", department=department, name=name)

    @classmethod
    def public(cls) -> "Principal":
        return cls("public")

    @property
    def sees_personal_fields(self) -> bool:
        return self.role != "public"


def canonical_principal(principal: Principal, config: Any | None) -> Principal:
    """Resolve a department alias (住建局) to its configured name, the value the index holds."""
    if principal.role != "department" or config is None:
        return principal
    dept = config.department(principal.department)
    if dept is None or dept.name == principal.department:
        return principal
    return Principal("department", department=dept.name, name=principal.name)


def required_department(principal: Principal) -> str | None:
    """The department every visible demand must be routed to, or None when unrestricted."""
    return principal.department if principal.role == "department" else None


def may_see(principal: Principal, doc: dict[str, Any]) -> bool:
    """The same rule the backends compile into queries, for one document already in hand."""
    dept = required_department(principal)
    return dept is None or doc.get("department") == dept


def may_see_profile(principal: Principal, dimension: str, value: str) -> bool:
    """A department sees only its own profile (dimension ``department``, value its name)."""
    dept = required_department(principal)
    return dept is None or (dimension == "department" and value == dept)


def project(principal: Principal, doc: dict[str, Any]) -> dict[str, Any]:
    """Drop what the principal may not see from a hit or a record view."""
    if principal.sees_personal_fields:
        return doc
    return {k: v for k, v in doc.items() if k not in PERSONAL_FIELDS}
