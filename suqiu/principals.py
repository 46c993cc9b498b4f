"""Who is asking: one vocabulary for the web, the department API, Open311 clients and the CLI.

- ``office`` (信访办 / 12345 中心): every demand, profile and topic; may act on any demand.
- ``department``: only the demands it owns (``suqiu.ownership``) and its own profiles.
- ``public``: masked text only, no personal fields.
- ``client``: an Open311 application holding a key; it reads as the public and, within its
  ``scope`` (departments), also their internal records; it files requests for its scope.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from suqiu.config import Config

Role = Literal["office", "department", "public", "client"]
ROLES: tuple[str, ...] = ("office", "department", "public", "client")
# users stored by earlier releases carry this name for the office role
LEGACY_ROLES = {"petition_office": "office"}


class PrincipalError(ValueError):
    """A principal is malformed (e.g. a department role without a department)."""


@dataclass(frozen=True)
class Principal:
    role: str
    department: str | None = None
    name: str | None = None          # the user name or the token's label
    token_id: int | None = None
    scope: tuple[str, ...] = ()     # a client's departments (canonical names)

    def __post_init__(self) -> None:
        role = LEGACY_ROLES.get(self.role, self.role)
        if role != self.role:
            object.__setattr__(self, "role", role)
        if role not in ROLES:
            raise PrincipalError(f"role '{self.role}' is not one of {', '.join(ROLES)}")
        if role == "department" and not self.department:
            raise PrincipalError("a department principal needs its department name")
        if role != "department" and self.department:
            raise PrincipalError(f"a {role} principal has no department")
        if self.scope and role != "client":
            raise PrincipalError(f"a {role} principal has no scope")

    @classmethod
    def office(cls, name: str | None = None, token_id: int | None = None) -> "Principal":
        return cls("office", name=name, token_id=token_id)

    @classmethod
    def for_department(cls, department: str, name: str | None = None, token_id: int | None = None) -> "Principal":
        return cls("department", department=department, name=name, token_id=token_id)

    @classmethod
    def public(cls) -> "Principal":
        return cls("public")

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    @property
    def sees_personal_fields(self) -> bool:
        return self.role in ("office", "department")

    @property
    def required_department(self) -> str | None:
        """The department every visible demand must belong to, or None when unrestricted."""
        return self.department if self.role == "department" else None

    def may_act_for(self, department: str | None) -> bool:
        """Whether this principal may change a demand owned by ``department``."""
        return self.role == "office" or (self.role == "department" and department is not None
                                         and department == self.department)

    @property
    def actor(self) -> str:
        """How this principal is named in a demand's history."""
        who = self.department or {"office": "信访办", "client": "Open311 客户端", "public": "公众"}[self.role]
        return f"{who}（{self.name}）" if self.name else who

    def canonical(self, config: Config | None) -> "Principal":
        """A department alias (住建局) resolved to its configured name, the value ownership uses."""
        if self.role != "department" or config is None:
            return self
        dept = config.department(self.department or "")
        return self if dept is None or dept.name == self.department else replace(self, department=dept.name)
