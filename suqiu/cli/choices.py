"""The CLI's fixed choices, shown in ``--help`` and checked before a command runs."""

from __future__ import annotations

from enum import StrEnum


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    TIME = "time"
    HEAT = "heat"


class Kind(StrEnum):
    DEMAND = "demand"
    PROFILE = "profile"
    TOPIC = "topic"


class Dimension(StrEnum):
    DISTRICT = "district"
    CHANNEL = "channel"
    REQUESTER_TYPE = "requester_type"
    DEPARTMENT = "department"
    BUSINESS = "business"


class UserRole(StrEnum):
    OFFICE = "office"
    DEPARTMENT = "department"
    PUBLIC = "public"


class TokenRole(StrEnum):
    DEPARTMENT = "department"
    OFFICE = "office"
    CLIENT = "client"
